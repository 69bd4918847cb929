"""Typed readers for configuration from the environment.

Each fails loudly on a value it cannot read instead of falling back silently
(healthchecks' ``envbool``/``envint`` idea). Every variable is documented in the README.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigError(RuntimeError):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: expected an integer") from exc
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value}: must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_path(name: str, default: str) -> Path:
    return Path(env_str(name, default) or default).expanduser().resolve()


# Hosts that mean "every interface": a server bound to one is reached locally at 127.0.0.1.
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - names, no bind


def is_wildcard_host(host: str) -> bool:
    return host.strip() in _WILDCARD_HOSTS


def served_base_url(host: str, port: int) -> str:
    """The address of a server listening on ``host:port``, e.g. ``http://127.0.0.1:8611``.

    The default of SKILLCERT_BASE_URL (what certificates print and QR codes encode): without
    it, the address the server actually serves. A wildcard host gives 127.0.0.1; an IPv6
    address is bracketed.
    """
    name = host.strip()
    if is_wildcard_host(name):
        name = "127.0.0.1"
    elif ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return f"http://{name}:{port}"
