"""A default permission of every API view (``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]``).

``PasswordChanged``: while the signed-in user holds a temporary password (set by the security
administrator's reset, ``User.password_temporary``), every request is refused with 403
``password_change_required``, token or page session alike, except on the views that say
``allow_temporary_password = True`` (``POST /api/v1/auth/password``, ``GET /api/v1/me``). An
aged password (expired, not temporary) is not refused here: the token answer says
``password_expired: true`` and only the pages insist (docs/security.md section A).
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from skillcert.rules.errors import Forbidden

TEMPORARY_MESSAGE = "请先修改临时密码"


class PasswordChanged(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if (
            getattr(user, "is_authenticated", False)
            and getattr(user, "password_temporary", False)
            and not getattr(view, "allow_temporary_password", False)
        ):
            raise Forbidden(TEMPORARY_MESSAGE, code="password_change_required")
        return True
