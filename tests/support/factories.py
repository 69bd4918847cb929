"""factory_boy factories for the main models, with ``state=`` in the style of Open Zaak's
``ZaakFactory``: ask for an object in a state and get one that the platform could have made.

Where a state needs history (transitions, audit entries, numbers, publicity dates) the
factory drives the real services, moving the platform date (``SKILLCERT_TODAY``) through the
walk and putting it back afterwards; where the services would only set fields, it sets them.

    OrganizationFactory()                          # registered (applying), with its user
    OrganizationFactory(state="in_pilot", city="02")  # on record in 芜湖, scope 焊工 2-5 …
    FilingCaseFactory(state="accepted")            # submitted and accepted by the bureau
    BatchFactory(state="in_publicity")             # plan filed, results entered, publicized
    CandidateFactory(batch=batch, passed=True)
    CertificateFactory()                           # valid, on an issued batch (ORM)
    CertificateFactory(state="revoked")            # revoked through the service
    InspectionFactory(state="published")           # supervision: found, concluded, published
    SpotCheckFactory(batch=batch)                  # assessment's 抽查 record

Time-driven states (a publicity running, a deadline) are read against the platform date:
fix it in the test (``today(...)``) — ``BATCH_DAYS`` and ``FILING_DAYS`` name the day each
state was reached on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
from collections.abc import Iterator
from typing import Any

import factory
from django.db import models
from factory.django import DjangoModelFactory

from skillcert.accounts.models import Authority, User
from skillcert.assessment.models import Batch, Candidate
from skillcert.assessment.models import Inspection as SpotCheck
from skillcert.certificates.models import Certificate, Segment
from skillcert.ops.samples import sample_application, sample_id_number
from skillcert.registry.models import (
    FilingCase,
    FilingNumberCounter,
    Organization,
    ScopeItem,
    ServiceArea,
    levels_key,
)
from skillcert.registry.services import filings
from skillcert.registry.services.organizations import (
    record_pilot_result,
    register_organization,
    revoke_organization,
)
from skillcert.rules import clock
from skillcert.rules.codes import compose_certificate_number
from skillcert.rules.credit_code import credit_check_char, org_code_check_char
from skillcert.supervision.models import Inspection
from tests.conftest import PASSWORD

__all__ = [
    "BATCH_DAYS",
    "FILING_DAYS",
    "BatchFactory",
    "CandidateFactory",
    "CertificateFactory",
    "FilingCaseFactory",
    "InspectionFactory",
    "OrganizationFactory",
    "SpotCheckFactory",
    "credit_code",
    "officer",
    "on_day",
]

_serial = itertools.count(1)


# --- helpers -----------------------------------------------------------------------------


def credit_code(division: str = "340104", body: str | None = None) -> str:
    """A valid 统一社会信用代码 (52 + division + organization code), a new one each call."""
    body = body or f"FB{next(_serial):06d}"
    org_code = body + org_code_check_char(body)
    first17 = "52" + division + org_code
    return first17 + credit_check_char(first17)


def authority(code: str) -> Authority:
    """A city's authority by code (``01`` …), or the province's (``province`` or ``00``)."""
    from tests.support.personas import ensure_authorities

    ensure_authorities()
    if code == "province":
        return Authority.objects.get(kind="province")
    return Authority.objects.get(code=code)


def ensure_occupations() -> None:
    """The occupation catalog (a filing's occupations are checked against it), once."""
    from skillcert.audit.service import SYSTEM
    from skillcert.reference.models import Occupation
    from skillcert.reference.services import load_occupation_catalog

    if not Occupation.objects.exists():
        load_occupation_catalog(actor=SYSTEM)


def officer(role: str, code: str = "province") -> User:
    """The factories' own officer of ``role`` at authority ``code`` (made once per test)."""
    from tests.conftest import _officer

    authority(code)
    username = f"factory_{role}_{code}"
    return User.objects.filter(username=username).first() or _officer(username, role, code)


@contextlib.contextmanager
def on_day(day: str | dt.date) -> Iterator[None]:
    """Run with the platform date at ``day``; the previous date (or none) afterwards."""
    previous = os.environ.get(clock.TODAY_VARIABLE)
    os.environ[clock.TODAY_VARIABLE] = str(day)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(clock.TODAY_VARIABLE, None)
        else:
            os.environ[clock.TODAY_VARIABLE] = previous


def _set_day(day: str) -> None:  # the ``today`` callable the tests' walkers expect
    os.environ[clock.TODAY_VARIABLE] = day


def member(organization: Organization) -> User:
    """The organization's (first) user."""
    return organization.members.order_by("pk").first().user


# --- organizations -----------------------------------------------------------------------

FILED_ON = dt.date(2026, 9, 30)
ORGANIZATION_STATES = ("applying", "in_pilot", "active", "pilot_failed", "revoked", "expired")


class OrganizationFactory(DjangoModelFactory):
    """``OrganizationFactory(state=..., city="01")``: registered through the service (with one
    user, password ``PASSWORD``); for a filed state, put on record by ``city`` as the filing
    service would (number, authority, dates, service area, the sample application's scope);
    ``pilot_failed`` and ``revoked`` through their services."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"工厂测试培训学校{n:04d}")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Organization:
        state = kwargs.pop("state", "applying")
        city = kwargs.pop("city", "01")
        username = kwargs.pop("username", None)
        division = authority(city).division[:4] + "04"
        serial = next(_serial)
        organization = register_organization(
            username=username or f"fac_org_{serial}",
            password=PASSWORD,
            credit_code=kwargs.pop("credit_code", None) or credit_code(division),
            name=kwargs.pop("name"),
        )
        return cls.into(organization, state=state, city=city, **kwargs)

    @classmethod
    def into(
        cls, organization: Organization, *, state: str, city: str = "01", **fields: Any
    ) -> Organization:
        """Bring an existing (registered) organization into ``state``."""
        assert state in ORGANIZATION_STATES, state
        if state != "applying":
            _file_on_record(organization, city, filed_on=fields.pop("filed_on", FILED_ON))
            if state in {"active", "pilot_failed"}:
                dept = officer("province_dept")
                with on_day(organization.pilot_until):
                    record_pilot_result(organization, passed=state == "active", actor=dept)
            elif state == "revoked":
                with on_day(FILED_ON + dt.timedelta(days=30)):
                    revoke_organization(
                        organization,
                        reason="提供虚假材料。",
                        category="false_materials",
                        actor=officer("province_dept"),
                    )
            elif state == "expired":
                Organization.objects.filter(pk=organization.pk).update(
                    status="expired", valid_until=FILED_ON + dt.timedelta(days=1)
                )
        if fields:
            Organization.objects.filter(pk=organization.pk).update(**fields)
        organization.refresh_from_db()
        return organization


def _file_on_record(organization: Organization, city: str, filed_on: dt.date) -> None:
    """What filing an initial case does to the organization (registry/services/review.py)."""
    counter, _ = FilingNumberCounter.objects.get_or_create(province="34", city=city)
    counter.last_serial += 1
    counter.save()
    filing_authority = authority(city)
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        category="S",
        filing_number=f"S000034{city}{counter.last_serial:04d}",
        filing_authority=filing_authority,
        channel="city",
        scope="city",
        filed_on=filed_on,
        valid_until=filed_on.replace(year=filed_on.year + 3) - dt.timedelta(days=1),
        pilot_until=filed_on.replace(year=filed_on.year + 1) - dt.timedelta(days=1),
    )
    ServiceArea.objects.create(organization=organization, city=filing_authority, since=filed_on)
    for row in sample_application(organization)["occupations"]:
        ScopeItem.objects.create(
            organization=organization,
            occupation_name=row["name"],
            occupation_code=row["code"],
            work_type=row["work_type"],
            levels=row["levels"],
            levels_key=levels_key(row["levels"]),
        )
    organization.refresh_from_db()


# --- filing cases ------------------------------------------------------------------------

# The walk runs on one day (as tests/registry/factories.filed_case does); the publicity then
# runs its working days and the case is filed the day after it ends.
FILING_DAY = "2026-09-01"
FILING_DAYS = {"draft": FILING_DAY, "filed": "the day after publicity_end"}
FILING_STATES = (
    "draft",
    "submitted",
    "accepted",
    "not_accepted",
    "under_evaluation",
    "selected",
    "not_selected",
    "in_publicity",
    "filed",
)
# state → (the state it is reached from, the step)
_FILING_STEPS: dict[str, tuple[str, Any]] = {
    "accepted": ("submitted", lambda c, r, e: filings.accept_filing(c, actor=r)),
    "not_accepted": (
        "submitted",
        lambda c, r, e: filings.not_accept_filing(c, reason="材料与实际情况不符。", actor=r),
    ),
    "under_evaluation": ("accepted", lambda c, r, e: filings.record_evaluation(c, e, actor=r)),
    "selected": ("under_evaluation", lambda c, r, e: filings.select_filing(c, actor=r)),
    "not_selected": (
        "under_evaluation",
        lambda c, r, e: filings.not_select_filing(c, reason="场地条件不足。", actor=r),
    ),
    "in_publicity": ("selected", lambda c, r, e: filings.publicize_filing(c, actor=r)),
}


class FilingCaseFactory(DjangoModelFactory):
    """``FilingCaseFactory(state="accepted", organization=None, reviewer=None, **application)``:
    an initial filing of the sample application (overrides as ``sample_application`` takes
    them), walked through the registry services by the organization's user and its city's
    bureau. ``filed`` puts the organization on record (``in_pilot``) as the service does."""

    class Meta:
        model = FilingCase

    organization = factory.SubFactory(OrganizationFactory)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> FilingCase:
        from tests.registry.factories import attach_all, evaluation

        state = kwargs.pop("state", "draft")
        assert state in FILING_STATES, state
        organization = kwargs.pop("organization")
        reviewer = kwargs.pop("reviewer", None)
        ensure_occupations()
        user = member(organization)
        reviewer = reviewer or officer("city_bureau", organization.home_city.code)
        path = []
        target = "in_publicity" if state == "filed" else state
        while target in _FILING_STEPS:
            path.insert(0, _FILING_STEPS[target][1])
            target = _FILING_STEPS[target][0]
        with on_day(FILING_DAY):
            case = filings.create_filing(
                organization, sample_application(organization, **kwargs), actor=user
            )
            attach_all(case, user)
            if state != "draft":
                case = filings.submit_filing(case, actor=user)
            for step in path:
                step(case, reviewer, evaluation())
                case.refresh_from_db()
        if state == "filed":
            with on_day(case.publicity_end + dt.timedelta(days=1)):
                filings.file_filing(case, actor=reviewer)
        return FilingCase.objects.get(pk=case.pk)


# --- batches and candidates --------------------------------------------------------------

BATCH_DAYS = {  # the platform date each state was reached on (its next action's day)
    "draft": "2026-10-12",
    "plan_filed": "2026-10-12",
    "results_entered": "2026-11-03",
    "in_publicity": "2026-11-04",
    "publicity_closed": "2026-11-11",
    "certificates_issued": "2026-11-11",
    "results_filed": "2026-11-12",
}


class BatchFactory(DjangoModelFactory):
    """``BatchFactory(state="in_publicity", organization=None, candidates=6, site_city="01")``:
    the sample plan (焊工 3-5) of a filed organization, walked through the assessment
    services (``tests/assessment/factories.batch_in``); ``certificates_issued`` and
    ``results_filed`` number the certificates from segments the province center allocates."""

    class Meta:
        model = Batch

    organization = factory.SubFactory(OrganizationFactory, state="in_pilot")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Batch:
        from skillcert.assessment.services import results
        from skillcert.certificates.services.issuing import issue_batch
        from tests.assessment.factories import batch_in, segments_for

        state = kwargs.pop("state", "draft")
        assert state in BATCH_DAYS, state
        organization = kwargs.pop("organization")
        user = member(organization)
        walked = "publicity_closed" if state in {"certificates_issued", "results_filed"} else state
        with on_day(BATCH_DAYS["draft"]):
            batch = batch_in(walked, organization, user, _set_day, **kwargs)
            if state in {"certificates_issued", "results_filed"}:
                if not Segment.objects.filter(organization=organization, year=2026).exists():
                    segments_for(organization, officer("province_center"))
                issue_batch(batch, actor=user)
            if state == "results_filed":
                _set_day(BATCH_DAYS["results_filed"])
                results.file_results(batch, actor=user)
        return Batch.objects.select_related("organization", "site_city").get(pk=batch.pk)


class CandidateFactory(DjangoModelFactory):
    """A candidate of a batch (ORM, as the roster upload stores one): 焊工 level 4."""

    class Meta:
        model = Candidate

    batch = factory.SubFactory(BatchFactory)
    position = factory.Sequence(lambda n: 1000 + n)
    name = factory.Sequence(lambda n: f"考生{n:04d}")
    id_type = "201"
    id_number = factory.Sequence(lambda n: sample_id_number(700_000 + n))
    city = "01"
    occupation_code = "6-18-02-04"
    occupation_name = "焊工"
    level = 4
    source = "社会人员"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Candidate:
        candidate = super()._create(model_class, *args, **kwargs)
        # The roster service keeps the batch's count; a candidate made here counts too.
        Batch.objects.filter(pk=candidate.batch_id).update(
            candidate_count=models.F("candidate_count") + 1
        )
        candidate.batch.candidate_count += 1
        return candidate


class SpotCheckFactory(DjangoModelFactory):
    """An assessment spot check (抽查) recorded on a batch (ORM)."""

    class Meta:
        model = SpotCheck

    batch = factory.SubFactory(BatchFactory, state="plan_filed")
    inspector = factory.LazyFunction(lambda: officer("inspector", "01"))
    stage = "操作技能考核"
    findings = "考场秩序良好。"
    business_date = dt.date(2026, 11, 2)


# --- certificates ------------------------------------------------------------------------

CERTIFICATE_STATES = ("valid", "revoked", "superseded")


class CertificateFactory(DjangoModelFactory):
    """``CertificateFactory(state="valid", batch=None)``: a certificate as ``issue_batch``
    stores it (ORM, numbered past the batch's own), on ``batch`` (default: a new batch in
    ``results_filed``); ``revoked`` and ``superseded`` (corrected) through the lifecycle
    services, by the issuing organization."""

    class Meta:
        model = Certificate

    batch = factory.SubFactory(BatchFactory, state="results_filed")
    level = 4
    year = 2026
    issued_on = dt.date(2026, 11, 11)
    name = factory.Sequence(lambda n: f"持证人{n:04d}")
    id_type = "201"
    id_number = factory.Sequence(lambda n: sample_id_number(800_000 + n))
    occupation_code = "6-18-02-04"
    occupation_name = "焊工"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Certificate:
        from skillcert.certificates.services.lifecycle import (
            correct_certificate,
            revoke_certificate,
        )
        from skillcert.certificates.signals import announce

        state = kwargs.pop("state", "valid")
        assert state in CERTIFICATE_STATES, state
        batch = kwargs["batch"]
        organization = batch.organization
        last = (
            Certificate.objects.filter(
                organization=organization, year=kwargs["year"], level=kwargs["level"]
            )
            .order_by("-serial")
            .values_list("serial", flat=True)
            .first()
        )
        serial = kwargs.pop("serial", None) or max(last or 0, 500) + 1
        kwargs.setdefault("organization", organization)
        kwargs.setdefault("city", organization.filing_authority.code)
        kwargs.setdefault("organization_name", organization.name)
        kwargs.setdefault("filing_number", organization.filing_number)
        kwargs.setdefault(
            "number",
            compose_certificate_number(
                organization.filing_number, kwargs["year"], kwargs["level"], serial
            ),
        )
        certificate = model_class.objects.create(*args, serial=serial, **kwargs)
        announce({certificate.issued_on})  # as issue_batch does: the statistics' summary
        user = member(organization)
        if state == "revoked":
            with on_day(kwargs["issued_on"] + dt.timedelta(days=7)):
                revoke_certificate(certificate, reason="考生替考，成绩无效。", actor=user)
        elif state == "superseded":
            with on_day(kwargs["issued_on"] + dt.timedelta(days=7)):
                correct_certificate(
                    certificate,
                    {"name": f"{certificate.name}改", "reason": "姓名录入错误。"},
                    actor=user,
                )
        certificate.refresh_from_db()
        return certificate


# --- supervision -------------------------------------------------------------------------

INSPECTION_STATES = (
    "assigned",
    "found",
    "concluded",
    "published",
    "rectify",
    "responded",
    "accepted",
)
FINDING = {"stage": "理论考试", "findings": "考场秩序良好，身份核验到位。"}
RECTIFY = {
    "conclusion": "rectify",
    "note": "档案管理不规范。",
    "requirement": "补齐考生档案。",
    "due_on": "2026-12-31",
}


class InspectionFactory(DjangoModelFactory):
    """``InspectionFactory(state="published", organization=None, inspector=None)``: a
    supervision inspection of a filed organization by its city (as a draw creates it), then
    walked through the inspection services: ``found`` (a finding), ``concluded`` (passed),
    ``published``, ``rectify`` (concluded with a rectification), ``responded``,
    ``accepted``."""

    class Meta:
        model = Inspection

    organization = factory.SubFactory(OrganizationFactory, state="in_pilot")
    authority = factory.LazyAttribute(lambda o: o.organization.filing_authority)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Inspection:
        from skillcert.supervision.services import inspections

        state = kwargs.pop("state", "assigned")
        assert state in INSPECTION_STATES, state
        inspector = kwargs.pop("inspector", None)
        inspection = model_class.objects.create(*args, **kwargs)
        code = inspection.authority.code
        inspector = inspector or officer("inspector", code)
        inspection.inspectors.set([inspector])
        bureau = officer("city_bureau", code) if code != "00" else officer("province_dept")
        with on_day(kwargs.pop("day", "2026-12-01")):
            if state != "assigned":
                inspections.record_finding(inspection, FINDING, actor=inspector)
            if state in {"concluded", "published"}:
                inspections.conclude(
                    inspection, {"conclusion": "passed", "note": "符合要求。"}, actor=inspector
                )
                if state == "published":
                    inspections.publish(inspection, actor=bureau)
            elif state in {"rectify", "responded", "accepted"}:
                inspections.conclude(inspection, RECTIFY, actor=inspector)
                if state != "rectify":
                    inspections.respond_rectification(
                        inspection, "已补齐考生档案。", actor=member(inspection.organization)
                    )
                if state == "accepted":
                    inspections.review_rectification(inspection, True, actor=bureau)
        inspection.refresh_from_db()
        return inspection
