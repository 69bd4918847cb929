"""Values every page shows: the site's name and the platform's date."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from skillcert.rules import clock

SITE_NAME = "安徽省职业技能等级认定服务平台"


def site(request: HttpRequest) -> dict[str, Any]:
    fixed = clock.fixed_today()
    return {
        "platform_name": SITE_NAME,
        "today": clock.today(),
        "today_is_fixed": fixed is not None,
    }
