"""The repository as tests see it from outside Django: its root, Python run as a separate
process in it, and its ``scripts/`` loaded as modules.

One home for these, so that every test that starts a real process or reads an independent
script does it the same way (same working directory, captured text output, no check).
"""

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def run_python(*args: str, env: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    """``python *args`` in the repository with exactly ``env``; its output captured as text.
    The caller checks the return code, so that its assertion can show the output."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module: the scripts are not a package, and the independent
    counts the cross-check tests compare against must not import the app."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module
