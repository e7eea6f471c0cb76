"""Typed readers for environment variables.

Settings come from the environment only (production differs from development by its
variables, not by another settings module). Every reader fails with
``ImproperlyConfigured`` naming the variable, so a bad value stops start-up with a message a
person can act on instead of a traceback from deep inside Django.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] = os.environ) -> str:
    """Return the variable, or ``NAME_FILE``'s contents (Docker secrets), or the default."""
    file_name = environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r}: {exc}") from exc
    return environ.get(name, default)


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] = os.environ) -> bool:
    """Return True/False; anything but a recognised boolean word is an error, not False."""
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of true/false, 1/0")


def env_int(name: str, default: int, *, environ: Mapping[str, str] = os.environ) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: str = "", *, environ: Mapping[str, str] = os.environ) -> list[str]:
    """Comma-separated list, blanks dropped."""
    return [item.strip() for item in environ.get(name, default).split(",") if item.strip()]


def database_from_url(name: str, url: str) -> dict[str, Any]:
    """Parse a database URL, naming the variable when it is not one we can use."""
    import dj_database_url

    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a database URL we support "
            "(postgres://user:password@host:5432/name or sqlite:///path): "
            f"{exc}"
        ) from None
    engine = config.get("ENGINE", "")
    if engine not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured(
            f"{name}={url!r}: unsupported database engine {engine!r}; use postgres:// or sqlite://"
        )
    if engine.endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={url!r} names no database")
    return dict(config)


def redis_url(name: str, url: str) -> str:
    """Check a broker/cache URL names Redis, so a typo fails at start-up, not at first use."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}={url!r} is not a Redis URL (redis://host:6379/0)")
    return url
