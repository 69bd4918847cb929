"""Cached certificate counts (issue 12, "pages stay flat at a province's scale"): the list's
status tabs and total, the API's ``count`` and a city's workbench card are counted once per
scope and filters, then read from the cache until a certificate changes.

Each write path is checked by priming the cache (a list, the API, the workbench), writing,
and comparing what they show next with a fresh count of the table. The services' own bumps
are checked with the model-signal backstop disconnected, so a service that stops bumping fails
here even though a ``post_save`` would have covered it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from skillcert.certificates import counts
from skillcert.certificates.access import certificates_for
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.certificates.services.lifecycle import (
    correct_certificate,
    revoke_certificate,
)
from skillcert.registry.models import Organization
from tests.support.factories import (
    BatchFactory,
    CertificateFactory,
    OrganizationFactory,
    authority,
    member,
    on_day,
)
from tests.support.pages import client_of

pytestmark = pytest.mark.django_db

LATER = "2026-11-20"


@pytest.fixture
def services_only():
    """The model-signal backstop off: only the services' own bumps refresh the counts."""
    post_save.disconnect(sender=Certificate, dispatch_uid="counts_saved")
    post_delete.disconnect(sender=Certificate, dispatch_uid="counts_deleted")
    yield
    counts.connect()


def truth(user, **filters) -> tuple[dict[str, int], int]:
    """(count per status, total) of the user's certificates, counted from the table now."""
    mine = certificates_for(user).filter(**filters)
    by_status = dict.fromkeys(CertificateStatus.values, 0)
    by_status.update(
        {
            row["status"]: row["n"]
            for row in mine.order_by().values("status").annotate(n=Count("pk"))
        }
    )
    return by_status, mine.count()


def page_counts(client, path: str = "/review/certificates") -> tuple[dict[str, int], int]:
    """What the list shows: its status tabs and its paginator's total."""
    response = client.get(path)
    assert response.status_code == 200
    return dict(response.context["counts"]), response.context["page"].paginator.count


def api_count(client, query: str = "") -> int:
    response = client.get(f"/api/v1/certificates{query}")
    assert response.status_code == 200
    return response.json()["count"]


def card_counts(client) -> dict[str, int]:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return dict(response.context["certificate_card"]["counts"])


class Views:
    """Everything that shows a user's certificate counts, read the same way before and after."""

    def __init__(self, user, client_for, area: str = "review") -> None:
        self.user = user
        self.web = client_of(user)
        self.api = client_for(user)
        self.path = f"/{area}/certificates"

    def read(self) -> dict[str, object]:
        return {
            "list": page_counts(self.web, self.path),
            "valid": page_counts(self.web, f"{self.path}?status=valid")[1],
            "revoked": page_counts(self.web, f"{self.path}?status=revoked")[1],
            "api": api_count(self.api),
            "api_valid": api_count(self.api, "?status=valid"),
            "card": card_counts(self.web),
        }

    def expected(self) -> dict[str, object]:
        by_status, total = truth(self.user)
        return {
            "list": (by_status, total),
            "valid": by_status["valid"],
            "revoked": by_status["revoked"],
            "api": total,
            "api_valid": by_status["valid"],
            "card": by_status,
        }

    def check(self) -> None:
        assert self.read() == self.expected()


@pytest.fixture
def hefei(city_bureau):
    """A 合肥 organization's issued batch, with two more certificates, one of them revoked."""
    batch = BatchFactory(state="results_filed")
    CertificateFactory.create_batch(2, batch=batch)
    CertificateFactory(batch=batch, state="revoked")
    return batch


# --- every write path refreshes the counts ----------------------------------------------------


def test_issuing_a_batch_refreshes_the_counts(
    services_only, hefei, city_bureau, province_dept, client_for
):
    viewers = [Views(city_bureau, client_for), Views(province_dept, client_for)]
    for view in viewers:
        view.check()  # primes the cache
    before = truth(city_bureau)[1]
    # issue_batch writes with bulk_create (no post_save): only its own bump tells the counts.
    BatchFactory(state="certificates_issued", organization=hefei.organization)
    assert truth(city_bureau)[1] > before
    for view in viewers:
        view.check()


def test_revoking_refreshes_the_counts(services_only, hefei, city_bureau, client_for):
    view = Views(city_bureau, client_for)
    view.check()
    valid = truth(city_bureau)[0]["valid"]
    certificate = Certificate.objects.filter(batch=hefei, status="valid").first()
    with on_day(LATER):
        revoke_certificate(certificate, reason="考生替考。", actor=member(hefei.organization))
    assert truth(city_bureau)[0]["valid"] == valid - 1
    view.check()


def test_correcting_refreshes_the_counts(services_only, hefei, city_bureau, client_for):
    view = Views(city_bureau, client_for)
    view.check()
    certificate = Certificate.objects.filter(batch=hefei, status="valid").first()
    with on_day(LATER):
        correct_certificate(
            certificate,
            {"name": f"{certificate.name}改", "reason": "姓名录入错误。"},
            actor=member(hefei.organization),
        )
    assert truth(city_bureau)[0]["superseded"] == 1
    view.check()


def test_the_web_and_api_actions_refresh_the_counts(hefei, city_bureau, client_for):
    """Through the API and the page, as people do it."""
    view = Views(city_bureau, client_for)
    organization = Views(member(hefei.organization), client_for, area="org")
    first, second = Certificate.objects.filter(batch=hefei, status="valid")[:2]
    valid = truth(city_bureau)[0]["valid"]
    view.check()
    organization.check()
    response = view.api.post(
        f"/api/v1/certificates/{first.number}/revoke", {"reason": "违规发证。"}, format="json"
    )
    assert response.status_code == 200, response.content
    view.check()
    organization.check()
    response = view.web.post(
        f"/review/certificates/{second.number}/act",
        {"action": "revoke", "revoke-reason": "违规发证。"},
    )
    assert response.status_code == 302, response.content
    assert truth(city_bureau)[0]["valid"] == valid - 2
    view.check()
    organization.check()


def test_an_orm_write_without_a_service_still_refreshes(hefei, city_bureau, client_for):
    """The backstop: a certificate saved through the model (a future write path)."""
    view = Views(city_bureau, client_for)
    view.check()
    certificate = Certificate.objects.filter(batch=hefei, status="valid").first()
    certificate.status = CertificateStatus.REVOKED
    certificate.save(update_fields=["status"])
    view.check()


def test_an_organization_moving_city_moves_its_counts(
    hefei, city_bureau, other_city_bureau, client_for
):
    """A filing by another city moves the organization's certificates to that city's scope."""
    hefei_view, wuhu_view = Views(city_bureau, client_for), Views(other_city_bureau, client_for)
    hefei_view.check()
    wuhu_view.check()
    moving = truth(city_bureau)[1]
    assert moving > 0 and truth(other_city_bureau)[1] == 0
    organization = Organization.objects.get(pk=hefei.organization_id)
    organization.filing_authority = authority("02")
    organization.home_city = authority("02")
    organization.save()
    assert truth(city_bureau)[1] == 0 and truth(other_city_bureau)[1] == moving
    hefei_view.check()
    wuhu_view.check()


# --- nobody is served another scope's counts --------------------------------------------------


def test_counts_never_cross_scopes(
    hefei, city_bureau, other_city_bureau, province_dept, client_for
):
    wuhu = OrganizationFactory(state="in_pilot", city="02")
    wuhu_batch = BatchFactory(state="results_filed", organization=wuhu, site_city="02")
    CertificateFactory.create_batch(4, batch=wuhu_batch)
    people = [
        Views(city_bureau, client_for),
        Views(other_city_bureau, client_for),
        Views(province_dept, client_for),
        Views(member(hefei.organization), client_for, area="org"),
        Views(member(wuhu), client_for, area="org"),
    ]
    hf, wh, province, hf_org, wh_org = (truth(view.user)[1] for view in people)
    assert hf == hf_org > 0 and wh == wh_org > 0 and hf != wh and province == hf + wh
    for _round in range(2):  # the second round reads every count from the cache
        for view in people:
            view.check()


# --- with the cache primed, nothing counts the certificates -----------------------------------


COUNTING = re.compile(r'COUNT\(.*(FROM|JOIN) "certificates_certificate"', re.IGNORECASE | re.DOTALL)


def counted(seen: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in seen.captured_queries if COUNTING.search(q["sql"])]


@pytest.mark.parametrize(
    "path",
    [
        "/review/certificates",
        "/review/certificates?status=revoked",
        "/review/certificates?q=%E6%8C%81%E8%AF%81%E4%BA%BA",  # a name: its total is counted
        "/dashboard",
    ],
)
def test_a_primed_page_counts_no_certificates(hefei, city_bureau, path):
    client = client_of(city_bureau)
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as seen:
        assert client.get(path).status_code == 200
    found = counted(seen)
    if "q=" in path:
        # The search's own total (number, name or ID number: from the indexes), nothing else.
        assert len(found) == 1 and "GROUP BY" not in found[0]
    else:
        assert found == []


@pytest.mark.parametrize("who", ["city_bureau", "province_dept"])
def test_a_primed_api_list_counts_no_certificates(hefei, who, client_for, request):
    client = client_for(request.getfixturevalue(who))
    first = client.get("/api/v1/certificates").json()
    with CaptureQueriesContext(connection) as seen:
        again = client.get("/api/v1/certificates").json()
    assert counted(seen) == []
    assert again == first and set(again) == {"count", "next", "results"}
    assert again["count"] == Certificate.objects.count()


def test_the_count_is_exact_when_the_cache_does_not_answer(hefei, city_bureau, client_for):
    """No cache (Redis down is the same): everything is counted, as before."""
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        view = Views(city_bureau, client_for)
        view.check()
        Certificate.objects.filter(batch=hefei).update(status=CertificateStatus.REVOKED)
        view.check()


def test_a_write_bumps_again_when_it_commits(django_capture_on_commit_callbacks):
    """A page that counted while the write was open must not keep that count after it."""
    start = counts.generation()
    with django_capture_on_commit_callbacks(execute=True):
        counts.changed()
        during = counts.generation()
        assert during != start
    assert counts.generation() not in {start, during}
