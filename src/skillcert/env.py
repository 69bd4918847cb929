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


ENVIRONMENTS = ("development", "production")
MIN_SECRET_KEY_LENGTH = 50  # Django's own check (security.W009) asks for at least 50 characters


def environment(name: str = "SKILLCERT_ENV") -> str:
    """``development`` (the default: one host, generated secret) or ``production``."""
    value = env_str(name, "development").lower() or "development"
    if value not in ENVIRONMENTS:
        raise ConfigError(f"{name}={value!r}: expected one of {', '.join(ENVIRONMENTS)}")
    return value


def production_problems(
    *,
    secret_key: str,
    debug: bool,
    allowed_hosts: list[str],
    master_key: str | None = None,
    master_key_file: str = "",
    base_url: str | None = None,
) -> list[str]:
    """What keeps a production instance from starting: several app servers must share one
    secret key (else sessions and CSRF fail whenever the balancer switches server), debug pages
    leak settings and data, and a wildcard host accepts any Host header. With ``master_key``
    given (the settings pass SKILLCERT_MASTER_KEY, maybe empty), the master key that opens the
    signing keys in the database must be set, or its file readable: a key generated on one
    host would not open the keys of the others. With ``base_url`` given (SKILLCERT_BASE_URL,
    maybe empty), it must be the site's http(s) address: workers print it on certificates and
    in QR codes, and a worker has no request to take it from."""
    problems = []
    if not secret_key:
        problems.append(
            "SKILLCERT_SECRET_KEY is not set: every server must read the same secret key"
        )
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SKILLCERT_SECRET_KEY has {len(secret_key)} characters: use at least "
            f"{MIN_SECRET_KEY_LENGTH} random ones"
        )
    if debug:
        problems.append("SKILLCERT_DEBUG is on: debug pages must never be served in production")
    wildcards = [host for host in allowed_hosts if host.strip() == "*"]
    if wildcards or not allowed_hosts:
        problems.append("SKILLCERT_ALLOWED_HOSTS must name the site's host names (no '*')")
    if master_key is not None:
        problems.extend(master_key_problems(master_key, master_key_file))
    if base_url is not None and not base_url.startswith(("https://", "http://")):
        problems.append(
            "SKILLCERT_BASE_URL must be the site's address (https://…): workers print it on "
            "certificates and in QR codes"
        )
    return problems


def master_key_problems(master_key: str, master_key_file: str) -> list[str]:
    if master_key:
        return []
    if not master_key_file:
        return [
            "SKILLCERT_MASTER_KEY (or SKILLCERT_MASTER_KEY_FILE) is not set: every server must "
            "read the same master key, which opens the signing keys kept in the database"
        ]
    if not os.access(Path(master_key_file).expanduser(), os.R_OK):
        return [f"SKILLCERT_MASTER_KEY_FILE={master_key_file!r} cannot be read"]
    return []


def check_production(
    *,
    secret_key: str,
    debug: bool,
    allowed_hosts: list[str],
    master_key: str | None = None,
    master_key_file: str = "",
    base_url: str | None = None,
) -> None:
    problems = production_problems(
        secret_key=secret_key,
        debug=debug,
        allowed_hosts=allowed_hosts,
        master_key=master_key,
        master_key_file=master_key_file,
        base_url=base_url,
    )
    if problems:
        raise ConfigError(
            "SKILLCERT_ENV=production refuses to start:\n" + "\n".join(f"- {p}" for p in problems)
        )


EMAIL_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtp+ssl": (465, False, True),
}


def email_settings(url: str) -> dict[str, object]:
    """Django's e-mail settings from ``SKILLCERT_EMAIL_URL``: ``smtp://user:pass@host:port``
    (plain), ``smtp+tls://…`` (STARTTLS, port 587 by default), ``smtp+ssl://…`` (TLS from the
    start, 465); ``?timeout=N`` seconds (10 by default). The user and password may be
    percent-encoded. Empty: no e-mail is sent (``EMAIL_COPIES_ENABLED`` false)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {
            "EMAIL_COPIES_ENABLED": False,
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in EMAIL_SCHEMES or not parts.hostname:
        raise ConfigError(
            f"SKILLCERT_EMAIL_URL: expected smtp://, smtp+tls:// or smtp+ssl://HOST[:PORT], "
            f"got {parts.scheme or 'no scheme'}://{parts.hostname or ''}"
        )
    default_port, use_tls, use_ssl = EMAIL_SCHEMES[scheme]
    try:
        port = parts.port or default_port
        timeout = int(parse_qs(parts.query).get("timeout", ["10"])[0])
    except ValueError as exc:
        raise ConfigError(f"SKILLCERT_EMAIL_URL: {exc}") from exc
    return {
        "EMAIL_COPIES_ENABLED": True,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": timeout,
    }
