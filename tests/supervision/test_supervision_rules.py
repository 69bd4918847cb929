"""The rules of supervision (六), one at a time: what a draw takes and never takes, how an
inspection moves, what an annual report counts, and that the statistics are the records.

The world: a 合肥 organization filed through the services, one batch issued (five certificates
of six candidates) and four 合肥 inspectors; the platform's date is 2026-12-01.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.accounts.models import Authority, User
from skillcert.accounts.services import add_user
from skillcert.assessment.models import Batch, BatchItem, Candidate
from skillcert.assessment.models import Inspection as SpotCheck
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.certificates.models import Certificate
from skillcert.ops.samples import MINIMAL_PDF
from skillcert.registry.models import (
    FilingCase,
    Objection,
    Organization,
    OrganizationStatus,
    ScopeItem,
)
from skillcert.rules.draws import derived_seed, digest
from skillcert.rules.draws import draw as draw_rule
from skillcert.rules.errors import InvalidInput
from skillcert.rules.levels import level_name
from skillcert.supervision.models import (
    AnnualReport,
    Finding,
    Inspection,
    InspectionDraw,
    Rectification,
)
from skillcert.supervision.services import draws, reports
from skillcert.supervision.services.draws import result_data, target_pool
from skillcert.supervision.services.summaries import refresh_statistics
from tests.assessment.factories import filed_organization, issued
from tests.conftest import PASSWORD
from tests.supervision.factories import hefei_inspectors
from tests.support.factories import credit_code

pytestmark = pytest.mark.django_db

DRAWS = "/api/v1/inspection-draws"


@dataclass
class World:
    organization: Organization
    batch: Batch  # issued on 2026-11-11, started 2026-11-02: 焊工 levels 3-5
    inspectors: list[User]


@pytest.fixture
def world(occupation_catalog, org_user, city_bureau, city_center, province_center, today):
    organization = filed_organization(org_user, city_bureau, today)
    batch = issued(organization, org_user, province_center, today)
    inspectors = hefei_inspectors()
    today("2026-12-01")
    return World(organization, batch, inspectors)


def post(client, path, data=None, **kwargs):
    return client.post(path, data or {}, format="json", **kwargs)


def authority(code: str) -> Authority:
    return Authority.objects.get(code=code)


def orm_batch(
    organization: Organization,
    start: str,
    items: list[tuple[str, str, int]],
    *,
    state: str = "plan_filed",
    city: str = "01",
    **fields: Any,
) -> Batch:
    """A batch written with the ORM: ``items`` are (occupation code, name, level)."""
    start_date = dt.date.fromisoformat(start)
    batch = Batch.objects.create(
        organization=organization,
        title=f"{start}认定",
        start_date=start_date,
        end_date=start_date + dt.timedelta(days=1),
        site_city=authority(city),
        site_address="认定地点",
        state=state,
        **fields,
    )
    for code, name, level in items:
        BatchItem.objects.create(
            batch=batch, occupation_code=code, occupation_name=name, level=level
        )
    return batch


WELDER, ELECTRICIAN = ("6-18-02-04", "焊工"), ("6-31-01-03", "电工")


def snapshot() -> tuple[int, ...]:
    return (
        InspectionDraw.objects.count(),
        Inspection.objects.count(),
        Inspection.inspectors.through.objects.count(),
        AuditEntry.objects.count(),
    )


def pool_ids(response) -> list[str]:
    assert response.status_code == 201, response.json()
    record = InspectionDraw.objects.get(pk=response.json()["id"])
    return [t["id"] for t in record.targets_pool]


def conclude_open_inspections() -> None:
    """The drawn inspections are done: an open one keeps its batch out of the next pool."""
    Inspection.objects.filter(state="assigned").update(state="concluded")


# --- 1. draws ----------------------------------------------------------------------------


def test_a_batch_draw_takes_filed_plans_not_over_and_without_an_open_inspection(
    world, city_bureau, today
):
    """domain.md §8: the pool is the batches whose plan is filed and whose end_date is on or
    after the draw date (2026-12-01), with no inspection still open."""
    organization = world.organization
    ending_today = orm_batch(organization, "2026-11-30", [(*WELDER, 4)])
    ended_yesterday = orm_batch(organization, "2026-11-29", [(*WELDER, 4)])
    upcoming = orm_batch(organization, "2026-12-14", [(*WELDER, 4)], state="plan_filed")
    orm_batch(organization, "2026-12-20", [(*WELDER, 4)], state="draft")
    inspected = orm_batch(organization, "2026-12-21", [(*WELDER, 4)])
    checked = orm_batch(organization, "2026-12-22", [(*WELDER, 4)])
    for batch, state in ((inspected, "assigned"), (checked, "concluded")):
        Inspection.objects.create(
            authority=authority("01"), organization=organization, batch=batch, state=state
        )
    expected = [f"batch:{b.pk}" for b in (ending_today, upcoming, checked)]
    pool = target_pool(authority("01"), "batches", {})
    assert [t["id"] for t in pool] == expected
    # Never the issued batch (over on 2026-11-03), the one over yesterday, the draft, nor
    # the one still being inspected.
    assert f"batch:{world.batch.pk}" not in expected
    assert f"batch:{ended_yesterday.pk}" not in expected
    assert f"batch:{inspected.pk}" not in expected
    # Labels name the organization and the batch.
    assert pool[1]["label"] == f"{organization.name}：2026-12-14认定（2026-12-14）"

    record = draws.make_draw({"targets": "batches", "count": 3, "inspectors": 1}, actor=city_bureau)
    assert sorted(t["id"] for t in record.targets_pool) == sorted(expected)
    # Drawn, each has an open inspection now: nothing is left to draw.
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        draws.make_draw({"targets": "batches", "count": 1, "inspectors": 1}, actor=city_bureau)
    assert refused.value.fields["count"] == ["抽取 1 个对象，但对象库只有 0 个"]
    assert snapshot() == before
    # Concluded, they return to the pool while they run; the next day, one has ended.
    conclude_open_inspections()
    today("2026-12-02")
    later = [f"batch:{b.pk}" for b in (upcoming, inspected, checked)]
    assert [t["id"] for t in target_pool(authority("01"), "batches", {})] == later


def test_a_draw_over_batches_takes_only_the_batches_its_filters_match(
    world, client_for, city_bureau
):
    # The pool holds batches not over on the draw date (2026-12-01, domain.md §8).
    december = orm_batch(world.organization, "2026-12-14", [(*WELDER, 4)])
    december_id = f"batch:{december.pk}"
    june = orm_batch(world.organization, "2027-06-15", [(*ELECTRICIAN, 3), (*WELDER, 2)])
    june_id = f"batch:{june.pk}"
    # Never in a pool: a draft, the issued batch (over), and (for 合肥) a batch held in 芜湖.
    orm_batch(world.organization, "2026-12-20", [(*WELDER, 4)], state="draft")
    wuhu = orm_batch(world.organization, "2026-12-21", [(*WELDER, 4)], city="02")
    officer = client_for(city_bureau)
    cases = [
        ({}, [june_id, december_id]),
        ({"from": "2026-10-01", "to": "2026-12-31"}, [december_id]),
        ({"from": "2027-01-01"}, [june_id]),
        ({"from": "2027-06-15", "to": "2027-06-15"}, [june_id]),
        ({"occupation": "电工"}, [june_id]),
        ({"occupation": "6-31-01-03"}, [june_id]),
        ({"occupation": "焊工"}, [june_id, december_id]),
        ({"level": 2}, [june_id]),
        ({"level": "四级"}, [december_id]),
        ({"occupation": "焊工", "level": 2}, [june_id]),
        ({"occupation": "焊工", "to": "2026-12-31"}, [december_id]),
    ]
    for filters, expected in cases:
        response = post(
            officer, DRAWS, {"targets": "batches", "count": 1, "inspectors": 1, **filters}
        )
        assert sorted(pool_ids(response)) == sorted(expected), filters
        record = InspectionDraw.objects.get(pk=response.json()["id"])
        assert record.result["targets"][0] in expected
        inspection = record.inspections.get()
        assert f"batch:{inspection.batch_id}" in expected
        conclude_open_inspections()
    # An empty pool is refused, naming the field, and leaves nothing behind.
    before = snapshot()
    empty = post(officer, DRAWS, {"targets": "batches", "count": 1, "inspectors": 1, "level": 1})
    assert empty.status_code == 400 and "count" in empty.json()["error"]["fields"]
    assert snapshot() == before
    # The province's pool has every city's batches.
    province = target_pool(authority("00"), "batches", {"from": "2026-11-01", "to": "2026-12-31"})
    assert [t["id"] for t in province] == sorted(
        [december_id, f"batch:{wuhu.pk}"], key=lambda t: int(t.split(":")[1])
    )


@pytest.mark.parametrize("kind", ["batches", "organizations"])
def test_occupation_and_level_filters_must_match_the_same_item(world, kind):
    orm_batch(world.organization, "2026-06-15", [(*ELECTRICIAN, 3), (*WELDER, 2)])
    # The organization is filed for 焊工 levels 2-5 and 电工 levels 3-5: no 电工 at level 2.
    scope = {
        item.occupation_name: item.levels
        for item in ScopeItem.objects.filter(organization=world.organization)
    }
    assert 2 in scope["焊工"] and 2 not in scope["电工"]
    assert target_pool(authority("01"), kind, {"occupation": "电工", "level": 2}) == []


def test_a_draw_larger_than_its_pool_is_refused_naming_the_field(world, client_for, city_bureau):
    orm_batch(world.organization, "2026-12-14", [(*WELDER, 4)])  # the one batch to draw
    officer = client_for(city_bureau)
    before = snapshot()
    for data, field in [
        ({"targets": "batches", "count": 2, "inspectors": 1}, "count"),
        ({"targets": "organizations", "count": 2, "inspectors": 1}, "count"),
        ({"targets": "batches", "count": 1, "inspectors": 5}, "inspectors"),
        ({"targets": "batches", "count": 0, "inspectors": 1}, "count"),
        ({"targets": "batches", "count": 1, "inspectors": "2"}, "inspectors"),
        ({"targets": "batches", "count": 1, "inspectors": 1, "level": 9}, "level"),
        ({"targets": "batches", "count": 1, "inspectors": 1, "seed": "x" * 65}, "seed"),
    ]:
        response = post(officer, DRAWS, data)
        assert response.status_code == 400, (data, response.json())
        assert response.json()["error"]["code"] == "invalid"
        assert field in response.json()["error"]["fields"], (data, response.json())
    assert snapshot() == before
    # Exactly the pool's size is fine.
    whole = post(officer, DRAWS, {"targets": "batches", "count": 1, "inspectors": 4})
    assert whole.status_code == 201, whole.json()
    assert {i.pk for i in Inspection.objects.get().inspectors.all()} == {
        u.pk for u in world.inspectors
    }


def test_an_inspector_outside_the_authority_is_never_in_its_pool(
    world, client_for, city_bureau, province_center
):
    wuhu = add_user("wh_insp", password=PASSWORD, role="inspector", authority="02", actor=SYSTEM)
    provincial = add_user(
        "prov_insp", password=PASSWORD, role="inspector", authority="province", actor=SYSTEM
    )
    retired = add_user(
        "old_insp", password=PASSWORD, role="inspector", authority="01", actor=SYSTEM
    )
    User.objects.filter(pk=retired.pk).update(is_active=False)
    officer = client_for(city_bureau)
    outsiders = {f"user:{u.pk}" for u in (wuhu, provincial, retired)}
    for seed in ("a", "b", "c"):
        response = post(
            officer, DRAWS, {"targets": "organizations", "count": 1, "inspectors": 4, "seed": seed}
        )
        assert response.status_code == 201, response.json()
        record = InspectionDraw.objects.get(pk=response.json()["id"])
        assert {i["id"] for i in record.inspectors_pool} == {
            f"user:{u.pk}" for u in world.inspectors
        }
        assert not outsiders & set(record.result["assignments"][0]["inspectors"])
    # Four in the pool: a fifth cannot be made up from outside.
    refused = post(officer, DRAWS, {"targets": "organizations", "count": 1, "inspectors": 5})
    assert refused.status_code == 400 and "inspectors" in refused.json()["error"]["fields"]
    # The province draws from its own inspectors.
    provincial_draw = draws.make_draw(
        {"targets": "organizations", "count": 1, "inspectors": 1}, actor=province_center
    )
    assert [i["id"] for i in provincial_draw.inspectors_pool] == [f"user:{provincial.pk}"]


def test_an_inspector_with_a_conflict_is_never_assigned_to_that_organization(
    world, client_for, city_bureau, other_organization
):
    blocked, other = world.inspectors[0], world.inspectors[1]
    declared = post(
        client_for(blocked),
        "/api/v1/inspector-conflicts",
        {"organization": world.organization.pk, "reason": "曾在该机构兼职"},
    )
    assert declared.status_code == 201, declared.json()
    # A conflict with an organization not drawn blocks nothing.
    post(
        client_for(other),
        "/api/v1/inspector-conflicts",
        {"organization": other_organization.pk, "reason": "亲属任职"},
    )
    december = orm_batch(world.organization, "2026-12-14", [(*WELDER, 4)])
    june = orm_batch(world.organization, "2027-06-15", [(*WELDER, 3)])
    officer = client_for(city_bureau)
    blocked_id = f"user:{blocked.pk}"
    for seed in [f"seed-{n}" for n in range(8)]:
        response = post(
            officer, DRAWS, {"targets": "batches", "count": 2, "inspectors": 3, "seed": seed}
        )
        assert response.status_code == 201, response.json()
        record = InspectionDraw.objects.get(pk=response.json()["id"])
        assert sorted(record.conflicts) == sorted(
            [[blocked_id, f"batch:{december.pk}"], [blocked_id, f"batch:{june.pk}"]]
        )
        for assignment in record.result["assignments"]:
            assert blocked_id not in assignment["inspectors"]
            assert f"user:{other.pk}" in assignment["inspectors"]  # the only three left
        assert not Inspection.objects.filter(draw=record, inspectors=blocked).exists()
        conclude_open_inspections()
    # Four asked, three without a conflict: refused.
    refused = post(officer, DRAWS, {"targets": "batches", "count": 1, "inspectors": 4})
    assert refused.status_code == 400 and "inspectors" in refused.json()["error"]["fields"]


def test_the_derived_seed_follows_the_date_and_the_pools(world, city_bureau, today):
    request = {"targets": "organizations", "count": 1, "inspectors": 2}
    first = draws.make_draw(request, actor=city_bureau)
    again = draws.make_draw(request, actor=city_bureau)
    assert not first.seed_given and first.seed == again.seed
    assert first.result == again.result
    assert first.seed == derived_seed(
        "2026-12-01", "01", digest(first.targets_pool), digest(first.inspectors_pool)
    )
    today("2026-12-02")
    next_day = draws.make_draw(request, actor=city_bureau)
    assert next_day.seed != first.seed
    today("2026-12-01")
    add_user("insp9", password=PASSWORD, role="inspector", authority="01", actor=SYSTEM)
    more_inspectors = draws.make_draw(request, actor=city_bureau)
    assert more_inspectors.inspectors_digest != first.inspectors_digest
    assert more_inspectors.seed != first.seed
    orm_batch(world.organization, "2026-12-14", [(*WELDER, 4)])
    batches = draws.make_draw({**request, "targets": "batches"}, actor=city_bureau)
    conclude_open_inspections()
    orm_batch(world.organization, "2027-06-15", [(*WELDER, 3)])
    more_batches = draws.make_draw({**request, "targets": "batches"}, actor=city_bureau)
    assert more_batches.targets_digest != batches.targets_digest
    assert more_batches.seed != batches.seed
    # A seed given is kept as given.
    given = draws.make_draw({**request, "seed": "2026-双随机-07"}, actor=city_bureau)
    assert given.seed_given and given.seed == "2026-双随机-07"


def test_the_recompute_command_agrees_and_catches_a_tampered_result(world, city_bureau, capsys):
    orm_batch(world.organization, "2026-12-14", [(*WELDER, 3)])
    record = draws.make_draw({"targets": "batches", "count": 1, "inspectors": 2}, actor=city_bureau)
    call_command("draws", "recompute", str(record.pk))
    assert "一致" in capsys.readouterr().out
    # Another team for the drawn batch, written over the stored result.
    result = record.result
    team = set(result["assignments"][0]["inspectors"])
    others = [f"user:{u.pk}" for u in world.inspectors if f"user:{u.pk}" not in team]
    tampered = {**result, "assignments": [{**result["assignments"][0], "inspectors": others}]}
    InspectionDraw.objects.filter(pk=record.pk).update(result=tampered)
    with pytest.raises(CommandError, match="不一致"):
        call_command("draws", "recompute", str(record.pk))
    # A pool that no longer matches its digest is caught too.
    pool = [*record.targets_pool, {"id": "batch:999999", "label": "x"}]
    InspectionDraw.objects.filter(pk=record.pk).update(result=result, targets_pool=pool)
    with pytest.raises(CommandError, match="不一致"):
        call_command("draws", "recompute", str(record.pk))
    with pytest.raises(CommandError):
        call_command("draws", "recompute", "999999")


def test_recompute_catches_a_derived_seed_that_was_swapped(world, city_bureau):
    record = draws.make_draw(
        {"targets": "organizations", "count": 1, "inspectors": 2}, actor=city_bureau
    )
    assert not record.seed_given
    convenient = "0" * 32
    redrawn = draw_rule(
        convenient,
        [t["id"] for t in record.targets_pool],
        [i["id"] for i in record.inspectors_pool],
        count=1,
        per_target=2,
    )
    InspectionDraw.objects.filter(pk=record.pk).update(seed=convenient, result=result_data(redrawn))
    with pytest.raises(CommandError):
        call_command("draws", "recompute", str(record.pk))


def test_the_public_record_publishes_the_digests_of_its_pools(
    world, client_for, city_bureau, public_client, tmp_path, capsys
):
    orm_batch(world.organization, "2026-12-14", [(*WELDER, 4)])
    orm_batch(world.organization, "2027-06-15", [(*WELDER, 3)])
    drawn = post(
        client_for(city_bureau), DRAWS, {"targets": "batches", "count": 2, "inspectors": 2}
    )
    assert drawn.status_code == 201
    public = public_client.get(drawn.json()["public"]).json()
    assert public["targets_digest"] == digest(public["targets_pool"])
    assert public["inspectors_digest"] == digest(public["inspectors_pool"])
    assert drawn.json()["targets_digest"] == public["targets_digest"]
    assert drawn.json()["inspectors_digest"] == public["inspectors_digest"]
    assert len(public["targets_pool"]) == 2 and len(public["inspectors_pool"]) == 4
    listed = public_client.get("/api/v1/public/inspection-draws").json()["results"]
    assert listed == [public]
    # Anyone can check the downloaded record with the command.
    (tmp_path / "draw.json").write_text(json.dumps(public, ensure_ascii=False), "utf-8")
    call_command("draws", "recompute", "--file", str(tmp_path / "draw.json"))
    assert "一致" in capsys.readouterr().out


# --- 2. inspections ----------------------------------------------------------------------


@pytest.fixture
def drawn(world, client_for, city_bureau):
    """合肥's organization drawn, two inspectors on it: (inspection, [member clients], path)."""
    response = post(
        client_for(city_bureau),
        DRAWS,
        {"targets": "organizations", "count": 1, "inspectors": 2, "seed": "检查"},
    )
    assert response.status_code == 201, response.json()
    inspection = Inspection.objects.get()
    members = [client_for(u) for u in inspection.inspectors.all()]
    return inspection, members, f"/api/v1/inspections/{inspection.pk}"


FINDING = {"stage": "理论考试", "findings": "考场秩序良好，身份核验到位。"}


def state_of(inspection: Inspection) -> tuple[Any, ...]:
    inspection.refresh_from_db()
    return (
        inspection.state,
        inspection.conclusion,
        inspection.published_on,
        Finding.objects.filter(inspection=inspection).count(),
        Rectification.objects.filter(inspection=inspection).count(),
        AuditEntry.objects.count(),
    )


def test_a_conclusion_needs_findings(drawn):
    inspection, (member, _), path = drawn
    before = state_of(inspection)
    refused = post(member, f"{path}/conclude", {"conclusion": "passed", "note": "符合要求"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_findings"
    assert state_of(inspection) == before
    assert post(member, f"{path}/findings", FINDING).status_code == 201
    concluded = post(member, f"{path}/conclude", {"conclusion": "passed", "note": "符合要求"})
    assert concluded.status_code == 200 and concluded.json()["state"] == "concluded"
    # Either member may record; the conclusion is taken once.
    assert (
        post(member, f"{path}/conclude", {"conclusion": "failed", "note": "x"}).status_code == 409
    )


def test_rectify_needs_a_requirement_and_a_due_date_after_today(drawn):
    inspection, (member, _), path = drawn
    assert post(member, f"{path}/findings", FINDING).status_code == 201
    good = {
        "conclusion": "rectify",
        "note": "档案管理不规范",
        "requirement": "补齐考生档案",
        "due_on": "2026-12-31",
    }
    before = state_of(inspection)
    for change, field in [
        ({"requirement": ""}, "requirement"),
        ({"requirement": None}, "requirement"),
        ({"due_on": "2026-12-01"}, "due_on"),  # today
        ({"due_on": "2026-11-30"}, "due_on"),
        ({"due_on": "31/12/2026"}, "due_on"),
        ({"due_on": None}, "due_on"),
        ({"conclusion": "maybe"}, "conclusion"),
        ({"note": " "}, "note"),
    ]:
        response = post(member, f"{path}/conclude", {**good, **change})
        assert response.status_code == 400, (change, response.json())
        assert field in response.json()["error"]["fields"], (change, response.json())
        assert state_of(inspection) == before
    accepted = post(member, f"{path}/conclude", good)
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["rectification"]["due_on"] == "2026-12-31"
    assert accepted.json()["rectification"]["requirement"] == "补齐考生档案"


def _files_of(inspection: Inspection) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "inspections" / str(inspection.pk)
    return sorted(folder.rglob("*")) if folder.exists() else []


FAKE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x13\x37junk" * 4 + b"not really an image" * 20


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("现场照片.png", FAKE_PNG),
        ("现场照片.jpg", b"\xff\xd8\xff\xe0" + b"junk" * 50),
        ("记录.pdf", b"%PDF-1.4\nno end of file marker"),
        ("记录.pdf", b"MZ\x90\x00 an executable renamed"),
    ],
)
def test_an_attachment_that_is_not_what_it_claims_is_refused_with_nothing_stored(
    drawn, name, content
):
    inspection, (member, _), path = drawn
    before = state_of(inspection)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = member.post(
        f"{path}/findings", {**FINDING, "attachment": upload}, format="multipart"
    )
    assert response.status_code == 400, response.json()
    assert state_of(inspection) == before
    assert _files_of(inspection) == []


def test_a_refused_attachment_is_reported_under_its_own_field(drawn):
    _, (member, _), path = drawn
    upload = SimpleUploadedFile("现场照片.png", FAKE_PNG, content_type="image/png")
    response = member.post(
        f"{path}/findings", {**FINDING, "attachment": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["attachment"]


def test_a_good_pdf_attachment_is_kept(drawn):
    inspection, (member, _), path = drawn
    upload = SimpleUploadedFile("现场记录.pdf", MINIMAL_PDF, content_type="application/pdf")
    response = member.post(
        f"{path}/findings", {**FINDING, "attachment": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["findings"][0]["attachment"] == "现场记录.pdf"
    finding = Finding.objects.get(inspection=inspection)
    assert finding.stage == FINDING["stage"] and finding.text == FINDING["findings"]
    stored = Path(settings.MEDIA_ROOT) / finding.attachment_stored
    assert stored.suffix == ".pdf" and stored.read_bytes() == MINIMAL_PDF
    assert _files_of(inspection) == [stored]


def test_publication_only_from_concluded(drawn, client_for, city_bureau, public_client):
    inspection, (member, _), path = drawn
    officer = client_for(city_bureau)
    before = state_of(inspection)
    assigned = post(officer, f"{path}/publish")
    assert assigned.status_code == 409 and assigned.json()["error"]["code"] == "invalid_state"
    post(member, f"{path}/findings", FINDING)
    found = post(officer, f"{path}/publish")
    assert found.status_code == 409
    assert state_of(inspection)[:3] == before[:3]
    post(member, f"{path}/conclude", {"conclusion": "failed", "note": "考评人员不足"})
    published = post(officer, f"{path}/publish")
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert published.json()["published_on"] == "2026-12-01"
    twice = state_of(inspection)
    assert post(officer, f"{path}/publish").status_code == 409
    assert state_of(inspection) == twice
    results = public_client.get("/api/v1/public/inspection-results").json()["results"]
    assert [(r["id"], r["conclusion_label"]) for r in results] == [(inspection.pk, "不合格")]


def test_rectification_reported_then_reviewed(drawn, client_for, org_user, city_bureau):
    inspection, (member, _), path = drawn
    post(member, f"{path}/findings", FINDING)
    post(
        member,
        f"{path}/conclude",
        {"conclusion": "rectify", "note": "x", "requirement": "补齐档案", "due_on": "2026-12-20"},
    )
    organization, officer = client_for(org_user), client_for(city_bureau)
    early = post(officer, f"{path}/rectification-review", {"accepted": True})
    assert early.status_code == 409  # nothing reported yet
    assert post(organization, f"{path}/rectification", {"response": " "}).status_code == 400
    reported = post(organization, f"{path}/rectification", {"response": "已补齐全部考生档案。"})
    assert reported.status_code == 200, reported.json()
    assert reported.json()["rectification"]["response"] == "已补齐全部考生档案。"
    assert post(officer, f"{path}/rectification-review", {"accepted": "yes"}).status_code == 400
    rejected = post(officer, f"{path}/rectification-review", {"accepted": False})
    assert rejected.json()["rectification"]["accepted"] is False
    again = post(organization, f"{path}/rectification", {"response": "补齐并建立归档制度。"})
    assert again.json()["rectification"]["accepted"] is None
    accepted = post(officer, f"{path}/rectification-review", {"accepted": True})
    assert accepted.status_code == 200 and accepted.json()["rectification"]["accepted"] is True
    rectification = Rectification.objects.get(inspection=inspection)
    assert rectification.accepted is True and rectification.reviewed_at is not None
    after = post(organization, f"{path}/rectification", {"response": "再次报送"})
    assert after.status_code == 409
    rectification.refresh_from_db()
    assert rectification.response == "补齐并建立归档制度。"


def test_an_accepted_rectification_cannot_be_reviewed_again(
    drawn, client_for, org_user, city_bureau
):
    inspection, (member, _), path = drawn
    post(member, f"{path}/findings", FINDING)
    post(
        member,
        f"{path}/conclude",
        {"conclusion": "rectify", "note": "x", "requirement": "补齐档案", "due_on": "2026-12-20"},
    )
    officer = client_for(city_bureau)
    post(client_for(org_user), f"{path}/rectification", {"response": "已补齐全部考生档案。"})
    assert post(officer, f"{path}/rectification-review", {"accepted": True}).status_code == 200
    audit_entries = AuditEntry.objects.count()
    again = post(officer, f"{path}/rectification-review", {"accepted": False})
    assert Rectification.objects.get(inspection=inspection).accepted is True
    assert AuditEntry.objects.count() == audit_entries
    assert again.status_code == 409


# --- 3. annual reports -------------------------------------------------------------------


def expected_statistics(organization: Organization, year: int) -> dict[str, Any]:
    """The year's figures, counted straight from the records."""
    batches = [
        b
        for b in Batch.objects.filter(organization=organization)
        if b.start_date.year == year and b.state != "draft"
    ]
    batch_ids = {b.pk for b in batches}
    candidates = [c for c in Candidate.objects.all() if c.batch_id in batch_ids]
    certificates = [
        c
        for c in Certificate.objects.filter(organization=organization)
        if c.issued_on.year == year and c.status != "superseded"
    ]
    by_key = Counter(f"{c.occupation_name}·{level_name(c.level)}" for c in certificates)
    objections = [
        o
        for o in Objection.objects.all()
        if o.batch_id in batch_ids
        or (
            o.filing is not None
            and o.filing.organization_id == organization.pk
            and o.lodged_at.astimezone(dt.timezone(dt.timedelta(hours=8))).year == year
        )
    ]
    return {
        "year": year,
        "batches": len(batches),
        "candidates": len(candidates),
        "attended": sum(1 for c in candidates if c.scores and c.attended is not False),
        "passed": sum(1 for c in candidates if c.passed),
        "certificates": len(certificates),
        "certificates_revoked": sum(
            1
            for c in Certificate.objects.filter(organization=organization)
            if c.status == "revoked" and c.revoked_on and c.revoked_on.year == year
        ),
        "certificates_by_occupation_and_level": dict(sorted(by_key.items())),
        "objections": len(objections),
        "spot_checks": SpotCheck.objects.filter(batch_id__in=batch_ids).count(),
        "inspections": sum(
            1
            for i in Inspection.objects.filter(organization=organization)
            if i.draw.business_date.year == year and i.state != "ended"
        ),
    }


def test_annual_statistics_are_counted_from_the_records(
    world, client_for, org_user, city_bureau, inspector
):
    organization, batch = world.organization, world.batch
    # More records of 2026: a second batch (电工), an objection, a spot check, an inspection;
    # one certificate revoked, one superseded by a correction.
    june = orm_batch(organization, "2026-06-15", [(*ELECTRICIAN, 3)], state="results_filed")
    Candidate.objects.create(
        batch=june,
        name="张伟",
        id_type="201",
        id_number="340104199001010011",
        city="01",
        occupation_code=ELECTRICIAN[0],
        occupation_name=ELECTRICIAN[1],
        level=3,
        source="社会人员",
        attended=False,
        passed=False,
    )
    Objection.objects.create(batch=batch, content="成绩有误", contact="x")
    case = FilingCase.objects.filter(organization=organization).first()
    filing_objection = Objection.objects.create(filing=case, content="场地临时租用", contact="x")
    Objection.objects.filter(pk=filing_objection.pk).update(
        lodged_at=dt.datetime(2026, 9, 20, 10, tzinfo=dt.UTC)
    )
    SpotCheck.objects.create(
        batch=batch,
        inspector=inspector,
        stage="操作技能",
        findings="正常",
        business_date=dt.date(2026, 11, 2),
    )
    draws.make_draw({"targets": "organizations", "count": 1, "inspectors": 1}, actor=city_bureau)
    Inspection.objects.update(created_at=dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC))
    certificates = list(Certificate.objects.filter(organization=organization).order_by("number"))
    Certificate.objects.filter(pk=certificates[0].pk).update(
        status="revoked", revoked_on=dt.date(2026, 11, 20)
    )
    Certificate.objects.filter(pk=certificates[1].pk).update(status="superseded")

    client = client_for(org_user)
    filed = post(
        client,
        f"/api/v1/organizations/{organization.pk}/annual-reports",
        {"year": 2026, "narrative": "全年开展焊工、电工认定 2 批次。"},
    )
    assert filed.status_code == 201, filed.json()
    stats = filed.json()["statistics"]
    expected = expected_statistics(organization, 2026)
    assert stats == expected
    # Not vacuous: there is something of each kind.
    assert expected["batches"] == 2 and expected["candidates"] == 7 and expected["passed"] == 5
    assert expected["certificates"] == 4 and expected["certificates_revoked"] == 1
    assert expected["objections"] == 2 and expected["spot_checks"] == 1
    assert expected["inspections"] == 1
    assert sum(expected["certificates_by_occupation_and_level"].values()) == 4
    assert AnnualReport.objects.get(organization=organization, year=2026).statistics == stats

    # On record since 2025 (a report is owed only for the years the organization was filed in).
    Organization.objects.filter(pk=organization.pk).update(filed_on=dt.date(2025, 3, 2))
    empty = post(
        client,
        f"/api/v1/organizations/{organization.pk}/annual-reports",
        {"year": 2025, "narrative": "本年度未开展认定。"},
    )
    assert empty.status_code == 201
    zero = empty.json()["statistics"]
    assert zero == expected_statistics(organization, 2025)
    assert zero["certificates_by_occupation_and_level"] == {}
    assert all(
        value == 0
        for key, value in zero.items()
        if key not in {"year", "certificates_by_occupation_and_level"}
    )


def _candidate(batch: Batch, number: str, **fields: Any) -> Candidate:
    return Candidate.objects.create(
        batch=batch,
        name="李娜",
        id_type="201",
        id_number=number,
        city="01",
        occupation_code=WELDER[0],
        occupation_name=WELDER[1],
        level=4,
        source="社会人员",
        **fields,
    )


def test_annual_statistics_count_filed_plans_entered_results_and_the_year_s_revocations(
    world, org_user
):
    """domain.md §8: drafts never count; attended means results entered (not absent);
    revoked means revoked in the year, whatever year the certificate was issued."""
    organization, batch = world.organization, world.batch
    before = reports.report_statistics(organization, 2026)
    assert (before["batches"], before["candidates"], before["attended"]) == (1, 6, 6)
    # A draft of 2026 with candidates: neither the batch nor its candidates count.
    draft = orm_batch(organization, "2026-12-20", [(*WELDER, 4)], state="draft")
    _candidate(draft, "340104199001010021")
    # A filed plan of 2026 not yet assessed: counted, its candidates too, none attended yet.
    planned = orm_batch(organization, "2026-12-10", [(*WELDER, 4)], state="plan_filed")
    _candidate(planned, "340104199001010032")
    _candidate(planned, "340104199001010043", attended=True)
    # A filed plan starting in 2025 counts in 2025 only.
    orm_batch(organization, "2025-12-30", [(*WELDER, 4)], state="results_filed")
    # One candidate of the issued batch was absent (scores kept, marked absent).
    absent = batch.candidates.order_by("position").first()
    Candidate.objects.filter(pk=absent.pk).update(attended=False, passed=False)
    # Revocations: one in 2026, one of a 2026 certificate in 2027.
    certificates = list(Certificate.objects.filter(organization=organization).order_by("number"))
    Certificate.objects.filter(pk=certificates[0].pk).update(
        status="revoked", revoked_on=dt.date(2026, 11, 30)
    )
    Certificate.objects.filter(pk=certificates[1].pk).update(
        status="revoked", revoked_on=dt.date(2027, 1, 5)
    )

    figures = reports.report_statistics(organization, 2026)
    assert figures["batches"] == 2
    assert figures["candidates"] == 6 + 2
    assert figures["attended"] == 5  # six entered, one absent; none of the planned batch
    assert figures["passed"] == 5
    assert figures["certificates"] == 5
    assert figures["certificates_revoked"] == 1
    assert figures == expected_statistics(organization, 2026)
    next_year = reports.report_statistics(organization, 2027)
    assert next_year["certificates"] == 0 and next_year["certificates_revoked"] == 1
    assert reports.report_statistics(organization, 2025)["batches"] == 1


def test_annual_statistics_count_inspections_by_the_platform_s_date(
    world, org_user, city_bureau, today
):
    year = dt.date.today().year + 1  # a platform date in a year the wall clock is not in
    today(f"{year}-02-01")
    draws.make_draw({"targets": "organizations", "count": 1, "inspectors": 1}, actor=city_bureau)
    report = reports.file_annual_report(
        world.organization, {"year": year, "narrative": "抽查 1 次。"}, actor=org_user
    )
    assert report.statistics["inspections"] == 1


def test_a_report_after_the_configured_due_date_is_late(
    world, client_for, org_user, city_bureau, settings, today
):
    settings.SKILLCERT_ANNUAL_REPORT_DUE = "01-15"
    client, path = (
        client_for(org_user),
        f"/api/v1/organizations/{world.organization.pk}/annual-reports",
    )
    # On record since 2025 (a report is owed only for the years the organization was filed in).
    Organization.objects.filter(pk=world.organization.pk).update(filed_on=dt.date(2025, 3, 2))
    today("2026-01-15")
    on_time = post(client, path, {"year": 2025, "narrative": "按期报送。"})
    assert on_time.status_code == 201, on_time.json()
    assert on_time.json()["due_on"] == "2026-01-15" and on_time.json()["late"] is False
    today("2027-01-16")
    late = post(client, path, {"year": 2026, "narrative": "逾期一天报送。"})
    assert late.json()["due_on"] == "2027-01-15" and late.json()["late"] is True
    assert AnnualReport.objects.get(year=2026).filed_on == dt.date(2027, 1, 16)
    missing = client_for(city_bureau).get("/api/v1/annual-reports/missing", {"year": 2026})
    assert missing.json()["due_on"] == "2027-01-15"
    # The statistics count the late reports as late.
    figures = client_for(city_bureau).get(
        "/api/v1/statistics", {"from": "2026-01-01", "to": "2027-12-31"}
    )
    assert figures.json()["deadlines"]["年度报告（按期）"] == 1
    assert figures.json()["deadlines"]["年度报告（逾期）"] == 1


def _filed(name: str, body: str, **fields: Any) -> Organization:
    values = {
        "status": "in_pilot",
        "category": "S",
        "filing_authority": authority("01"),
        "home_city": authority("01"),
        "channel": "city",
        "filed_on": dt.date(2026, 5, 6),
        **fields,
    }
    return Organization.objects.create(name=name, credit_code=credit_code("340104", body), **values)


def test_missing_reports_list_filed_organizations_without_a_report(
    world, client_for, org_user, city_bureau
):
    organization = world.organization
    second = _filed("合肥第二职业培训学校", "TT000005", filing_number="S000034010005")
    _filed("合肥已撤销培训中心", "TT000006", filing_number="S000034010006", status="revoked")
    _filed(
        "合肥新备案培训中心",
        "TT000007",
        filing_number="S000034010007",
        filed_on=dt.date(2027, 1, 5),
    )
    _filed("合肥申请中培训中心", "TT000008", status="applying", filed_on=None)
    everything = Organization.objects.all()

    def names(year: int) -> list[str]:
        return [o.name for o in reports.missing_reports(everything, year)]

    assert names(2026) == sorted([organization.name, second.name])
    reports.file_annual_report(
        organization, {"year": 2026, "narrative": "已报送。"}, actor=org_user
    )
    assert names(2026) == [second.name]
    assert names(2025) == []  # nobody was filed yet in 2025
    answer = client_for(city_bureau).get("/api/v1/annual-reports/missing", {"year": 2026}).json()
    assert [row["id"] for row in answer["missing"]] == [second.pk]
    assert answer["missing"][0]["filing_number"] == "S000034010005"


# --- 4. statistics -----------------------------------------------------------------------

START, END = dt.date(2026, 3, 1), dt.date(2026, 11, 15)
PERIOD = {"from": START.isoformat(), "to": END.isoformat()}


def _orm_certificate(batch: Batch, serial: int, issued_on: dt.date, level: int, **fields) -> None:
    organization = batch.organization
    Certificate.objects.create(
        number=f"{organization.filing_number}{level}{serial:08d}",
        batch=batch,
        organization=organization,
        year=issued_on.year,
        level=level,
        serial=serial,
        issued_on=issued_on,
        name=f"考生{serial}",
        id_type="201",
        id_number=f"3402021990010{serial:05d}",
        city="02",
        occupation_code=ELECTRICIAN[0],
        occupation_name=ELECTRICIAN[1],
        organization_name=organization.name,
        filing_number=organization.filing_number,
        **fields,
    )


@pytest.fixture
def two_cities(world, other_organization):
    """合肥's certificates (one revoked, one superseded, one issued before the period) and a
    filed 芜湖 organization with certificates inside and after the period."""
    certificates = list(
        Certificate.objects.filter(organization=world.organization).order_by("number")
    )
    Certificate.objects.filter(pk=certificates[0].pk).update(
        status="revoked", revoked_on=dt.date(2026, 11, 20)
    )
    Certificate.objects.filter(pk=certificates[1].pk).update(status="superseded")
    Certificate.objects.filter(pk=certificates[2].pk).update(issued_on=dt.date(2026, 2, 10))
    Organization.objects.filter(pk=other_organization.pk).update(
        status="active",
        category="S",
        filing_number="S000034020001",
        filing_authority=authority("02"),
        channel="city",
        filed_on=dt.date(2025, 4, 1),
    )
    other_organization.refresh_from_db()
    batch = orm_batch(
        other_organization,
        "2026-05-04",
        [(*ELECTRICIAN, 4)],
        state="results_filed",
        city="02",
        results_filed_on=dt.date(2026, 5, 20),
        late=True,
    )
    for serial, day, level in [(1, "2026-05-10", 4), (2, "2026-05-10", 4), (3, "2026-07-01", 5)]:
        _orm_certificate(batch, serial, dt.date.fromisoformat(day), level)
    _orm_certificate(batch, 4, dt.date(2026, 11, 20), 4)  # after the period
    _orm_certificate(batch, 5, dt.date(2026, 6, 1), 4, status="revoked")
    return world


def expected_figures(code: str | None) -> dict[str, Any]:
    """The statistics of a city (``code``) or the province (None), from the records."""

    def in_scope(authority_id: int) -> bool:
        return code is None or Authority.objects.get(pk=authority_id).code == code

    certificates = [
        c
        for c in Certificate.objects.select_related("organization__filing_authority")
        if c.status != "superseded"
        and START <= c.issued_on <= END
        and in_scope(c.organization.filing_authority_id)
    ]
    organizations = [
        o
        for o in Organization.objects.exclude(status="applying")
        if o.filing_authority_id and in_scope(o.filing_authority_id)
    ]
    cases = [
        c
        for c in FilingCase.objects.all()
        if c.submitted_on and START <= c.submitted_on <= END and in_scope(c.authority_id)
    ]
    batches = [
        b
        for b in Batch.objects.all()
        if b.results_filed_on and START <= b.results_filed_on <= END and in_scope(b.site_city_id)
    ]
    reports_ = [
        r
        for r in AnnualReport.objects.all()
        if START <= r.filed_on <= END and in_scope(r.organization.filing_authority_id)
    ]
    statuses = Counter(o.status for o in organizations)
    return {
        "total": len(certificates),
        "revoked": sum(1 for c in certificates if c.status == "revoked"),
        "by_city": Counter(c.organization.filing_authority.name for c in certificates),
        "by_occupation": Counter(c.occupation_name for c in certificates),
        "by_level": Counter(level_name(c.level) for c in certificates),
        "by_month": Counter(c.issued_on.strftime("%Y-%m") for c in certificates),
        "organizations": {
            s.label: statuses.get(s.value, 0) for s in OrganizationStatus if s != "applying"
        },
        "deadlines": {
            "受理反馈（按期）": sum(1 for c in cases if not c.overdue and c.accepted_on),
            "受理反馈（超期）": sum(1 for c in cases if c.overdue),
            "结果报备（按期）": sum(1 for b in batches if not b.late),
            "结果报备（逾期）": sum(1 for b in batches if b.late),
            "年度报告（按期）": sum(1 for r in reports_ if not r.late),
            "年度报告（逾期）": sum(1 for r in reports_ if r.late),
        },
    }


SCOPES = [("province", None, "dept"), ("合肥", "01", "bureau"), ("芜湖", "02", "other_bureau")]


@pytest.mark.parametrize(("label", "code", "persona"), SCOPES, ids=[s[0] for s in SCOPES])
def test_statistics_equal_the_records_of_the_scope_and_period(
    two_cities, client_for, request, label, code, persona
):
    user = request.getfixturevalue(
        {"dept": "province_dept", "bureau": "city_bureau", "other_bureau": "other_city_bureau"}[
            persona
        ]
    )
    client = client_for(user)
    refresh_statistics()  # the fixture wrote through the ORM: the periodic job's refresh
    figures = client.get("/api/v1/statistics", PERIOD).json()
    expected = expected_figures(code)
    assert figures["from"] == START.isoformat() and figures["to"] == END.isoformat()
    assert figures["certificates_total"] == expected["total"]
    assert figures["certificates_revoked"] == expected["revoked"]
    assert figures["certificates_by_city"] == dict(expected["by_city"])
    assert figures["certificates_by_occupation"] == dict(expected["by_occupation"])
    assert figures["certificates_by_level"] == dict(expected["by_level"])
    assert figures["certificates_by_month"] == dict(expected["by_month"])
    assert figures["organizations_by_status"] == expected["organizations"]
    assert figures["deadlines"] == expected["deadlines"]
    # The period cuts something off, and every scope has something to count.
    assert expected["total"] > 0
    everything = Certificate.objects.exclude(status="superseded")
    if code:
        everything = everything.filter(organization__filing_authority__code=code)
    assert everything.count() > expected["total"]

    # The workbook holds the same numbers, sheet by sheet.
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/statistics.xlsx", PERIOD).content))
    summary = {row[0]: row[1] for row in book["概况"].values}
    assert summary["发证数量"] == str(expected["total"])
    assert summary["其中已撤销"] == str(expected["revoked"])
    assert summary["统计期间"] == f"{START} 至 {END}"
    for sheet, key in [
        ("按地市", "certificates_by_city"),
        ("按职业", "certificates_by_occupation"),
        ("按等级", "certificates_by_level"),
        ("按月份", "certificates_by_month"),
        ("评价组织状态", "organizations_by_status"),
        ("办理时限", "deadlines"),
    ]:
        rows = list(book[sheet].values)[1:]
        assert {label: count for label, count in rows} == figures[key], sheet
        assert len(rows) == len(figures[key]), sheet

    # The talent workbook: valid certificates only, each once.
    talent = client.get("/api/v1/statistics/talent.xlsx", PERIOD)
    rows = list(openpyxl.load_workbook(io.BytesIO(talent.content)).active.values)
    numbers = [row[6] for row in rows[1:]]
    valid = Certificate.objects.filter(status="valid", issued_on__gte=START, issued_on__lte=END)
    if code:
        valid = valid.filter(organization__filing_authority__code=code)
    assert sorted(numbers) == sorted(valid.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    hidden = Certificate.objects.exclude(status="valid").values_list("number", flat=True)
    assert not set(hidden) & set(numbers)


def test_a_bad_period_is_refused(world, client_for, city_bureau):
    client = client_for(city_bureau)
    for path in ("/api/v1/statistics", "/api/v1/statistics.xlsx", "/api/v1/statistics/talent.xlsx"):
        for query, field in [
            ({"from": "2026-02-30"}, "from"),
            ({"from": "2026-12-31", "to": "2026-01-01"}, "to"),
        ]:
            response = client.get(path, query)
            assert response.status_code == 400, (path, query)
            assert field in response.json()["error"]["fields"], (path, query)


def test_a_malformed_end_of_period_is_reported_under_to(world, client_for, city_bureau):
    response = client_for(city_bureau).get("/api/v1/statistics", {"to": "2026-13-01"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["to"]
