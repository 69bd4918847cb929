from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "skillcert.accounts"
    label = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        user_login_failed.connect(_login_failed, dispatch_uid="skillcert-login-failed")
        user_locked_out.connect(_locked_out, dispatch_uid="skillcert-account-locked")


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    """Every failed login (pages and API) is recorded with the user name tried, never the
    password (Django has already masked it in ``credentials``)."""
    from skillcert.accounts.security import record_login_failed

    record_login_failed(str(credentials.get("username") or ""), request)


def _locked_out(sender: Any, request: Any = None, username: str | None = None, **_: Any) -> None:
    """The failure that locks an account is recorded once: axes signals again for each attempt
    on a locked account, and those are not counted (``axes_failures_since_start`` unset)."""
    from skillcert.accounts.security import record_locked

    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return
    record_locked(username or "", request)
