"""The one-way rule of DESIGN.md "Layout", read from the source: ``indicators`` reaches
``servicedesk`` and ``infogov`` only through ``hackperf.registry``, and the registry's own
modules import none of the three apps.

The imports are read with ``ast`` (every ``import`` and ``from … import`` anywhere in a
module, including those inside functions), so a lazy import does not slip through.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("servicedesk", "infogov", "indicators")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def offending(paths, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in paths:
        for module in sorted(imported_modules(path)):
            if module.split(".")[0] in forbidden:
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    return bad


class LayeringTests:
    def test_indicators_imports_nothing_from_servicedesk_or_infogov(self):
        paths = sorted((ROOT / "indicators").rglob("*.py"))
        assert len(paths) > 20  # the walk found the app
        assert offending(paths, ("servicedesk", "infogov")) == []

    @pytest.mark.parametrize("module", ["registry.py", "windows.py", "metrics.py"])
    def test_the_registry_imports_none_of_the_apps(self, module):
        assert offending([ROOT / "hackperf" / module], APPS) == []

    def test_the_shared_import_plumbing_imports_none_of_the_apps(self):
        """Ticket and case import share the mapping loader, row errors, runs, the upload view
        and the command base: each app passes its own vocabulary in."""
        paths = [
            *sorted((ROOT / "hackperf" / "importing").glob("*.py")),
            ROOT / "hackperf" / "imports.py",
            ROOT / "hackperf" / "import_views.py",
            ROOT / "hackperf" / "import_command.py",
        ]
        assert len(paths) >= 6
        assert offending(paths, APPS) == []

    def test_it_would_catch_a_lazy_import(self, tmp_path):
        source = tmp_path / "lazy.py"
        source.write_text("def f():\n    from servicedesk.models import Ticket\n    return 1\n")
        assert imported_modules(source) >= {"servicedesk.models", "servicedesk.models.Ticket"}
