"""Objection follow-up (issue 14, domain.md §9): a case number (YY-…) as the objector's
reference and a random code kept only as a keyed hash; the reference and the right code read
the objection's state and outcome, anything else is the same 404; who resolves it and the
organization concerned are told, never who objected."""

from __future__ import annotations

import hashlib
import json

import pytest

from skillcert.assessment.services.objections import (
    CODE_ALPHABET,
    NOT_FOUND_MESSAGE,
    code_hash,
    find_public,
    lodge_objection,
    public_view,
    resolve_objection,
)
from skillcert.audit.models import AuditEntry
from skillcert.inbox.models import Message
from skillcert.registry.models import FilingCase, Objection
from skillcert.rules.errors import InvalidInput, NotFound
from tests.assessment.factories import batch_in
from tests.assessment.test_batch_permissions import file_on_record
from tests.registry.test_organization_life import case_in

pytestmark = pytest.mark.django_db

LODGED = {"content": "第 2 名考生未到场。", "contact": "王先生 13900000000"}


@pytest.fixture
def subject(request, occupation_catalog, org_user, today):
    organization = org_user.membership.organization
    if request.param == "filing":
        today("2026-10-05")
        return case_in(organization, "in_publicity")
    batch = batch_in("in_publicity", file_on_record(organization), org_user, today)
    today("2026-11-05")
    return batch


def resolver(subject, city_bureau, city_center):
    return city_bureau if isinstance(subject, FilingCase) else city_center


@pytest.mark.parametrize("subject", ["filing", "batch"], indirect=True)
def test_each_objection_takes_the_next_case_number_of_its_authority_and_year(subject):
    first = lodge_objection(subject, LODGED)
    second = lodge_objection(subject, {**LODGED, "content": "另一条异议。"})
    year = 2026
    assert first.case_number == f"YY-3401-{year}-000001"  # 合肥 (01) in Anhui (34)
    assert second.case_number == f"YY-3401-{year}-000002"
    assert Objection.objects.get(pk=first.pk).case_number == first.case_number


@pytest.mark.parametrize("subject", ["filing"], indirect=True)
def test_the_code_is_random_and_only_its_keyed_hash_is_stored(subject):
    objection = lodge_objection(subject, LODGED)
    code = objection.code
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    stored = Objection.objects.get(pk=objection.pk)
    assert stored.code_hash == code_hash(stored.case_number, code)
    assert len(stored.code_hash) == 64 and code not in stored.code_hash
    # Not a plain hash of the code: the key comes from the key store.
    assert stored.code_hash not in {
        hashlib.sha256(code.encode()).hexdigest(),
        hashlib.sha256(f"{stored.case_number}\x00{code}".encode()).hexdigest(),
    }
    # Nowhere in clear: not on the row, not in the audit record, not in any message.
    row = json.dumps(list(Objection.objects.filter(pk=objection.pk).values()), default=str)
    assert code not in row
    for entry in AuditEntry.objects.all():
        assert code not in json.dumps([entry.before, entry.after], default=str)
    assert not Message.objects.filter(body__contains=code).exists()
    assert not Message.objects.filter(title__contains=code).exists()
    # Each lodging draws a new code.
    other = lodge_objection(subject, LODGED)
    assert other.code != code or other.case_number != objection.case_number


@pytest.mark.parametrize("subject", ["filing", "batch"], indirect=True)
def test_the_right_code_reads_the_state_and_then_the_outcome(subject, city_bureau, city_center):
    objection = lodge_objection(subject, LODGED)
    found = find_public(objection.case_number, objection.code.lower())  # as typed, any case
    view = public_view(found)
    assert view["reference"] == objection.case_number and view["state"] == "open"
    assert "outcome" not in view and "reason" not in view and "contact" not in view
    resolve_objection(
        found,
        upheld=False,
        reason="经核实，该考生已到场。",
        actor=resolver(subject, city_bureau, city_center),
    )
    view = public_view(find_public(f" {objection.case_number} ", objection.code))
    assert view["state"] == "dismissed" and view["outcome"] == "dismissed"
    assert view["outcome_label"] == "异议不成立" and view["reason"] == "经核实，该考生已到场。"


@pytest.mark.parametrize("subject", ["filing"], indirect=True)
def test_a_wrong_code_and_an_unknown_reference_answer_the_same(subject):
    objection = lodge_objection(subject, LODGED)
    wrong = "A" * 8 if objection.code != "A" * 8 else "B" * 8
    answers = []
    for reference, code in [
        (objection.case_number, wrong),
        (objection.case_number, ""),
        ("YY-3401-2026-999999", objection.code),
        ("", objection.code),
        ("x" * 200, objection.code),
    ]:
        with pytest.raises(NotFound) as caught:
            find_public(reference, code)
        answers.append((caught.value.message, caught.value.code, caught.value.status))
    assert set(answers) == {(NOT_FOUND_MESSAGE, "not_found", 404)}


@pytest.mark.parametrize("subject", ["filing", "batch"], indirect=True)
def test_the_resolvers_and_the_organization_are_told_without_the_objector(
    subject, org_user, city_bureau, city_center, other_city_bureau
):
    objection = lodge_objection(subject, LODGED)
    who = resolver(subject, city_bureau, city_center)
    told = Message.objects.filter(event__in=["objection.lodged", "objection.received"])
    assert set(told.values_list("recipient", "event")) == {
        (who.pk, "objection.lodged"),  # to handle: 前往办理
        (org_user.pk, "objection.received"),  # to know: 查看详情
    }
    assert [m.asks_action for m in told.order_by("event")] == [True, False]
    for message in told:
        assert objection.case_number in message.title + message.body
        assert "13900000000" not in message.body and "王先生" not in message.body
    assert not Message.objects.filter(recipient=other_city_bureau).exists()
    resolve_objection(objection, upheld=True, reason="情况属实。", actor=who)
    resolved = Message.objects.get(event="objection.resolved")
    assert resolved.recipient_id == org_user.pk and "异议成立" in resolved.title
    assert objection.case_number in resolved.title and "13900000000" not in resolved.body


@pytest.mark.parametrize("subject", ["filing"], indirect=True)
def test_a_refused_objection_takes_no_number(subject):
    with pytest.raises(InvalidInput):
        lodge_objection(subject, {"content": "", "contact": ""})
    assert not Objection.objects.exists()
    assert lodge_objection(subject, LODGED).case_number.endswith("-000001")
