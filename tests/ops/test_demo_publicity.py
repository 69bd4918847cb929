"""The demo shows both sides of minimal disclosure (domain.md §11): a result publicity running
today with its names, and earlier ones that kept only their dates and counts."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from skillcert.registry.models import Notice, NoticeKind
from skillcert.rules import clock
from skillcert.rules.disclosure import NAMES_REMOVED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SKILLCERT_KEY_DIR = tmp_path / "keys"
    settings.DATA_DIR.mkdir()


def test_the_demo_has_a_running_publicity_with_names_and_a_past_one_without(capsys):
    call_command("setup", "--no-static")
    call_command("demo")
    capsys.readouterr()
    today = clock.today()
    results = Notice.objects.filter(kind=NoticeKind.RESULT_PUBLICITY)
    running = [n for n in results if n.starts_on <= today <= n.ends_on]
    over = [n for n in results if n.ends_on < today]
    assert running and over
    public = Client()
    page = public.get(f"/notices/{running[0].pk}").content.decode()
    assert "<td>" in page and NAMES_REMOVED not in page
    for notice in over:
        assert "\t" not in notice.body  # the stored text lost its list too
        page = public.get(f"/notices/{notice.pk}").content.decode()
        assert "<td>" not in page and NAMES_REMOVED in page and "合格人数" in page
