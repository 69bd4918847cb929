"""Values every page shows: the site's name, the platform's date and the site footer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from skillcert.reference.selectors import site_settings
from skillcert.rules import clock

SITE_NAME = "安徽省职业技能等级认定服务平台"


def site(request: HttpRequest) -> dict[str, Any]:
    fixed = clock.fixed_today()
    return {
        "platform_name": SITE_NAME,
        "today": clock.today(),
        "today_is_fixed": fixed is not None,
        # The government-site footer (主办单位, ICP/公安备案号…): one cache read per page.
        "site_footer": site_settings(),
    }
