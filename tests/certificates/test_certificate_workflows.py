"""The certificate's and the national export's workflows, walked whole through the services.

Every (state, action) pair of ``CERTIFICATE`` and ``NATIONAL_EXPORT``: an allowed one moves to
the declared target with a history row (``workflow.StateChange``) and an audit entry; a
refused one is 409 (wrong state) or 403 (party not named) and changes nothing. The API's
``actions`` are what the machine offers, for the issuer, an officer and anyone else.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillcert.accounts.services import add_user
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM, actor_ref, command_line_actor
from skillcert.certificates import national
from skillcert.certificates.machines import CERTIFICATE_MACHINE, NATIONAL_EXPORT_MACHINE
from skillcert.certificates.models import (
    Certificate,
    CertificateEvent,
    NationalExport,
    NationalExportState,
)
from skillcert.certificates.services import lifecycle
from skillcert.certificates.services.issuing import issue_batch
from skillcert.certificates.workflow import (
    CERTIFICATE,
    NATIONAL_EXPORT,
    CertificateParty,
    NationalExportParty,
)
from skillcert.rules.errors import Conflict, Forbidden
from skillcert.workflow.models import StateChange
from tests.assessment.factories import batch_in, filed_organization, issued
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(occupation_catalog, org_user, city_bureau, today):
    return filed_organization(org_user, city_bureau, today)


@pytest.fixture
def batch(organization, org_user, province_center, today):
    """Five certificates numbered on 2026-11-11 (合肥), looked at on 2026-11-20."""
    batch = issued(organization, org_user, province_center, today)
    today("2026-11-20")
    return batch


@pytest.fixture
def other_city_center(authorities):
    return add_user(
        "wh_center", password=PASSWORD, role="city_center", authority="02", actor=SYSTEM
    )


def first_certificate(batch) -> Certificate:
    return (
        Certificate.objects.select_related("organization")
        .filter(batch=batch)
        .order_by("number")
        .first()
    )


def fresh(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_related("organization").get(pk=certificate.pk)


# --- certificates ------------------------------------------------------------------------------

# Each action of the workflow, through its service.
TAKE = {
    "revoke": lambda c, actor: lifecycle.revoke_certificate(c, reason="考生资格不符", actor=actor),
    "reissue": lambda c, actor: lifecycle.reissue_certificate(c, reason="证书遗失", actor=actor),
    "correct": lambda c, actor: lifecycle.correct_certificate(
        c, {"name": "王小明", "reason": "姓名录入有误"}, actor=actor
    ),
}
AUDITED_AS = {
    "revoke": "certificates.certificate_revoked",
    "reissue": "certificates.certificate_reissued",
    "correct": "certificates.certificate_corrected",
}
# How a certificate reaches each state (a valid one is as issued).
REACH = {"valid": None, "revoked": "revoke", "superseded": "correct"}


def test_the_tables_cover_the_workflow():
    actions = {t.action for t in CERTIFICATE.transitions}
    assert set(TAKE) == set(AUDITED_AS) == actions
    assert set(REACH) == set(CERTIFICATE.states)
    assert {t.action for t in NATIONAL_EXPORT.transitions} == {"send"}


def certificate_in(state: str, batch, actor) -> Certificate:
    certificate = first_certificate(batch)
    if REACH[state]:
        TAKE[REACH[state]](certificate, actor)
    certificate = fresh(certificate)
    assert certificate.status == state
    return certificate


def certificate_record() -> tuple:
    return (
        list(
            Certificate.objects.order_by("pk").values_list(
                "number",
                "status",
                "reissue_count",
                "revoked_on",
                "revocation_reason",
                "superseded_by",
                "name",
            )
        ),
        CertificateEvent.objects.count(),
        StateChange.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("action", [t.action for t in CERTIFICATE.transitions])
@pytest.mark.parametrize("state", list(CERTIFICATE.states))
def test_every_state_and_action_of_a_certificate(batch, org_user, state, action):
    certificate = certificate_in(state, batch, org_user)
    transition = CERTIFICATE.transition(action)
    before = certificate_record()
    changes_before = StateChange.objects.count()
    if state not in transition.sources:
        with pytest.raises(Conflict) as refused:
            TAKE[action](certificate, org_user)
        assert (refused.value.status, refused.value.code) == (409, "invalid_state")
        assert certificate_record() == before
        assert not CERTIFICATE_MACHINE.may(certificate, org_user, action)
        return

    assert CERTIFICATE_MACHINE.may(certificate, org_user, action)
    TAKE[action](certificate, org_user)
    moved = fresh(certificate)
    assert moved.status == (transition.target or state)
    change = StateChange.objects.order_by("pk").last()
    assert StateChange.objects.count() == changes_before + 1
    assert (change.workflow, change.object_id, change.action) == ("certificate", moved.pk, action)
    assert (change.from_state, change.to_state) == (state, moved.status)
    assert change.actor == actor_ref(org_user).name
    entry = AuditEntry.objects.order_by("pk").filter(action=AUDITED_AS[action]).last()
    assert entry is not None and entry.object_id == str(moved.pk)
    # The certificate's own record of events is kept beside the history.
    assert CertificateEvent.objects.filter(certificate=moved).exists()


# Who each persona is for a certificate of 合肥's organization.
CERTIFICATE_PARTIES = {
    "org_user": {CertificateParty.ISSUER},
    "city_bureau": {CertificateParty.OFFICER},
    "city_center": {CertificateParty.OFFICER},
    "province_dept": {CertificateParty.OFFICER},
    "province_center": {CertificateParty.OFFICER},
    "admin_user": {CertificateParty.OFFICER},
    "other_org_user": set(),
    "other_city_bureau": set(),
    "inspector": set(),
}


@pytest.mark.parametrize("action", [t.action for t in CERTIFICATE.transitions])
@pytest.mark.parametrize("persona", list(CERTIFICATE_PARTIES))
def test_who_may_take_each_step_of_a_certificate(request, batch, persona, action):
    user = request.getfixturevalue(persona)
    certificate = first_certificate(batch)
    assert CERTIFICATE_MACHINE.parties(user, certificate) == CERTIFICATE_PARTIES[persona]
    named = bool(CERTIFICATE.transition(action).parties & CERTIFICATE_PARTIES[persona])
    before = certificate_record()
    if not named:
        with pytest.raises(Forbidden) as refused:
            TAKE[action](certificate, user)
        assert (refused.value.status, refused.value.code) == (403, "forbidden")
        assert certificate_record() == before
        return
    TAKE[action](certificate, user)
    assert StateChange.objects.filter(workflow="certificate", action=action).count() == 1


def test_refusals_keep_their_wording(batch, org_user, city_bureau):
    certificate = first_certificate(batch)
    with pytest.raises(Forbidden, match="只有发证的评价机构可以补发证书"):
        TAKE["reissue"](certificate, city_bureau)
    TAKE["revoke"](certificate, org_user)
    with pytest.raises(Conflict, match="证书当前状态为「已撤销」，不能撤销"):
        TAKE["revoke"](fresh(certificate), org_user)


def test_no_correction_while_the_issuer_may_not_certify(batch, organization, org_user):
    certificate = first_certificate(batch)
    organization.status = "revoked"
    organization.save(update_fields=["status"])
    certificate = fresh(certificate)
    assert not CERTIFICATE_MACHINE.may(certificate, org_user, "correct")
    assert CERTIFICATE_MACHINE.may(certificate, org_user, "revoke")
    before = certificate_record()
    with pytest.raises(Conflict) as refused:
        TAKE["correct"](certificate, org_user)
    assert refused.value.code == "cannot_certify"
    assert certificate_record() == before


# --- national exports --------------------------------------------------------------------------


class FailingSender:
    def send(self, path: Path, export: NationalExport) -> str:
        raise ConnectionError("全国系统暂时无法连接")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path  # the file storage: exports under national/
    monkeypatch.delenv("SKILLCERT_NATIONAL_SENDER", raising=False)
    monkeypatch.delenv("SKILLCERT_NATIONAL_OUTBOX", raising=False)
    return tmp_path


def failing(settings) -> None:
    settings.SKILLCERT_NATIONAL_SENDER = f"{__name__}.FailingSender"


def working(settings) -> None:
    settings.SKILLCERT_NATIONAL_SENDER = national.DEFAULT_SENDER


def export_in(state: str, batch, actor, settings) -> NationalExport:
    export = national.prepare_export(batch=batch, actor=actor)
    if state == NationalExportState.FAILED:
        failing(settings)
        with pytest.raises(national.SendFailed):
            national.deliver(export, actor=actor)
    elif state == NationalExportState.SENT:
        working(settings)
        national.deliver(export, actor=actor)
    export = NationalExport.objects.select_related("batch").get(pk=export.pk)
    assert export.state == state
    return export


def export_record() -> tuple:
    return (
        list(
            NationalExport.objects.order_by("pk").values_list(
                "state", "attempts", "sent_at", "receipt", "last_error"
            )
        ),
        StateChange.objects.count(),
        AuditEntry.objects.count(),
    )


SEND_AUDITED_AS = {
    NationalExportState.SENT: "certificates.national_export_sent",
    NationalExportState.FAILED: "certificates.national_export_send_failed",
}


@pytest.mark.parametrize("outcome", sorted(NATIONAL_EXPORT.transition("send").outcomes))
@pytest.mark.parametrize("state", list(NATIONAL_EXPORT.states))
def test_every_state_and_outcome_of_a_send(batch, province_center, settings, state, outcome):
    export = export_in(state, batch, province_center, settings)
    transition = NATIONAL_EXPORT.transition("send")
    (failing if outcome == NationalExportState.FAILED else working)(settings)
    before = export_record()
    if state not in transition.sources:
        # Sent is final: the machine refuses, and the service answers as before (nothing
        # sent again, nothing recorded).
        with pytest.raises(Conflict) as refused:
            NATIONAL_EXPORT_MACHINE.check(export, "send", province_center)
        assert (refused.value.status, refused.value.code) == (409, "invalid_state")
        assert not NATIONAL_EXPORT_MACHINE.may(export, province_center, "send")
        assert national.deliver(export, actor=province_center).sent_now is False
        assert export_record() == before
        return

    assert NATIONAL_EXPORT_MACHINE.may(export, province_center, "send")
    attempts = export.attempts
    if outcome == NationalExportState.FAILED:
        with pytest.raises(national.SendFailed):
            national.deliver(export, actor=province_center)
    else:
        assert national.deliver(export, actor=province_center).sent_now is True
    export.refresh_from_db()
    assert export.state == outcome and export.attempts == attempts + 1
    assert bool(export.last_error) == (outcome == NationalExportState.FAILED)
    change = StateChange.objects.order_by("pk").last()
    assert StateChange.objects.count() == before[1] + 1
    assert (change.workflow, change.object_id, change.action) == (
        "national_export",
        export.pk,
        "send",
    )
    assert (change.from_state, change.to_state) == (state, outcome)
    entry = AuditEntry.objects.order_by("pk").last()
    assert (entry.action, entry.object_id) == (SEND_AUDITED_AS[outcome], str(export.pk))
    assert json.loads(entry.after)["attempts"] == attempts + 1
    assert json.loads(entry.before)["attempts"] == attempts


# Who each persona is for a batch export of a batch held in 合肥, and how the service answers.
EXPORT_PARTIES = {
    "province_center": ({NationalExportParty.REPORTER}, 200),
    "province_dept": ({NationalExportParty.REPORTER}, 200),
    "city_center": ({NationalExportParty.REPORTER}, 200),
    "other_city_center": (set(), 404),  # not its city's batch: not even visible
    "city_bureau": (set(), 403),
    "inspector": (set(), 403),
    "admin_user": (set(), 403),
    "org_user": (set(), 403),
}


@pytest.mark.parametrize("persona", list(EXPORT_PARTIES))
def test_who_may_send_an_export(request, batch, province_center, persona):
    user = request.getfixturevalue(persona)
    export = national.prepare_export(batch=batch, actor=province_center)
    parties, status = EXPORT_PARTIES[persona]
    assert NATIONAL_EXPORT_MACHINE.parties(user, export) == parties
    named = bool(NATIONAL_EXPORT.transition("send").parties & parties)
    assert named == (status == 200)
    before = export_record()
    if not named:
        with pytest.raises(national.DomainError) as refused:
            national.deliver(export, actor=user)
        assert refused.value.status == status
        assert export_record() == before
        return
    national.deliver(export, actor=user)
    assert NationalExport.objects.get(pk=export.pk).state == NationalExportState.SENT


def test_a_city_center_may_not_send_a_period_export(batch, province_center, city_center):
    export = national.prepare_export(
        period=national.parse_period("2026-11-01", "2026-11-20"), actor=province_center
    )
    assert NATIONAL_EXPORT_MACHINE.parties(city_center, export) == set()
    assert NATIONAL_EXPORT_MACHINE.actions(export, city_center) == []


def test_the_command_line_sends_as_the_system(batch, province_center):
    export = national.prepare_export(batch=batch, actor=province_center)
    actor = command_line_actor()
    assert NATIONAL_EXPORT_MACHINE.may(export, actor, "send")
    national.deliver(export, actor=actor)
    change = StateChange.objects.get(workflow="national_export")
    assert change.to_state == "sent" and change.actor.startswith("cli:")


# --- the API's representations -----------------------------------------------------------------


def certificate_json(client, certificate: Certificate):
    return client.get(f"/api/v1/certificates/{certificate.number}")


def test_certificate_actions_are_the_machines(
    batch, client_for, org_user, city_center, other_org_user
):
    certificate = first_certificate(batch)
    for user, expected in (
        (org_user, ["revoke", "reissue", "correct"]),
        (city_center, ["revoke"]),
        (other_org_user, []),
    ):
        offered = CERTIFICATE_MACHINE.actions(certificate, user)
        assert [a["action"] for a in offered] == expected
        response = certificate_json(client_for(user), certificate)
        if not expected:  # another organization does not see the record at all
            assert response.status_code == 404
            continue
        body = response.json()
        assert body["actions"] == offered and body["next"] is None
        listed = client_for(user).get("/api/v1/certificates").json()["results"]
        row = next(r for r in listed if r["number"] == certificate.number)
        assert row["actions"] == offered

    revoked = client_for(city_center).post(
        f"/api/v1/certificates/{certificate.number}/revoke", {"reason": "作弊"}, format="json"
    )
    assert revoked.status_code == 200 and revoked.json()["actions"] == []
    certificate = fresh(certificate)
    assert CERTIFICATE_MACHINE.actions(certificate, org_user) == []
    assert certificate_json(client_for(org_user), certificate).json()["actions"] == []


def test_certificate_list_queries_do_not_grow_with_the_page(
    batch, organization, client_for, org_user, today
):
    client = client_for(org_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/certificates").status_code == 200
        return len(queries)

    five = count()
    other = batch_in("publicity_closed", organization, org_user, today)
    issue_batch(other, actor=org_user)
    today("2026-11-20")
    assert Certificate.objects.count() == 10
    assert count() == five


def test_export_actions_are_the_machines(
    batch, client_for, province_center, city_center, org_user, settings
):
    export = national.prepare_export(batch=batch, actor=city_center)
    url = f"/api/v1/national/exports/{export.pk}"
    for user in (province_center, city_center):
        offered = NATIONAL_EXPORT_MACHINE.actions(export, user)
        assert offered == [{"action": "send", "label": "发送"}]
        body = client_for(user).get(url).json()
        assert body["actions"] == offered
        assert body["next"] == {
            "party": "city_center",  # who prepared it sends it
            "action": "send",
            "label": "发送",
            "due": None,
            "deadline": False,
        }
        listed = client_for(user).get("/api/v1/national/exports").json()["results"]
        assert [r["actions"] for r in listed if r["id"] == export.pk] == [offered]
    assert NATIONAL_EXPORT_MACHINE.actions(export, org_user) == []
    assert client_for(org_user).get(url).status_code == 403

    failing(settings)
    failed = client_for(city_center).post(f"{url}/send")
    assert failed.status_code == 502
    assert client_for(city_center).get(url).json()["actions"] == [
        {"action": "send", "label": "发送"}
    ]
    working(settings)
    sent = client_for(city_center).post(f"{url}/send").json()["export"]
    assert sent["state"] == "sent" and sent["actions"] == [] and sent["next"] is None


def test_the_outbox_page_offers_what_the_machine_offers(
    batch, province_center, city_bureau, settings
):
    from django.test import Client

    client = Client()
    client.force_login(province_center)
    export = national.prepare_export(batch=batch, actor=province_center)
    page = client.get("/review/national").content.decode()
    assert 'data-action="send">发送<' in page
    failing(settings)
    with pytest.raises(national.SendFailed):
        national.deliver(export, actor=province_center)
    page = client.get("/review/national").content.decode()
    assert 'data-action="send">重新发送<' in page and "全国系统暂时无法连接" in page
    working(settings)
    national.deliver(export, actor=province_center)
    page = client.get("/review/national").content.decode()
    assert 'data-action="send"' not in page and "已发送" in page
