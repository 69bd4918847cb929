"""The eligibility checklist and required materials of a case, from its data (rules.filing)."""

from __future__ import annotations

from skillcert.registry.models import CityThresholds, FilingCase
from skillcert.registry.workflow import FilingKind
from skillcert.rules.credit_code import validate_credit_code
from skillcert.rules.filing import (
    PROVINCE_WIDE_THRESHOLDS,
    Application,
    Checklist,
    Material,
    OccupationClaim,
    Thresholds,
    checklist,
    parse_nature,
    required_materials,
)
from skillcert.rules.regions import ANHUI


def required_for(case: FilingCase) -> frozenset[Material]:
    return required_materials(
        parse_nature(case.basic.get("nature", "")),
        already_filed=case.already_filed,
        same_scope=case.same_scope,
    )


def thresholds_for(case: FilingCase) -> tuple[Thresholds, str]:
    """The scale thresholds that apply, and who set them."""
    if case.kind == FilingKind.PROVINCE_WIDE:
        return PROVINCE_WIDE_THRESHOLDS, "省人社厅（面向全省）"
    if case.authority.is_province:
        return Thresholds(), "省人社厅（省直渠道）"
    row = CityThresholds.objects.filter(authority=case.authority).first()
    owner = f"{case.authority.name}人社局"
    if row is None:
        return Thresholds(), owner
    return Thresholds(row.years_continuous, row.persons_total, row.persons_per_occupation), owner


def for_case(case: FilingCase) -> Checklist:
    from skillcert.reference.models import Occupation

    credit = validate_credit_code(case.organization.credit_code)
    city = ANHUI.city_for_division(credit.division)
    codes = {o.code for o in case.occupations.all()}
    catalog = dict(
        Occupation.objects.filter(edition="2022", code__in=codes).values_list("code", "access_type")
    )
    claims = tuple(
        OccupationClaim(
            name=o.name,
            code=o.code,
            levels=tuple(o.levels),
            persons=o.persons,
            experience_level=o.experience_level,
            in_catalog=o.code in catalog or o.edition != "2022",
            new_occupation=o.new_occupation,
            access_type=catalog.get(o.code, False),
        )
        for o in case.occupations.all()
    )
    limits, owner = thresholds_for(case)
    record = case.record or {}
    return checklist(
        Application(
            division=credit.division,
            province_code=ANHUI.province_code,
            home_city_name=city.name if city else None,
            occupations=claims,
            years_continuous=int(record.get("years_continuous") or 0),
            persons_total=int(record.get("persons_total") or 0),
            subsidised_training=bool(record.get("subsidised_training")),
            province_wide=case.kind == FilingKind.PROVINCE_WIDE,
            thresholds=limits,
            thresholds_owner=owner,
            materials=frozenset(Material(t) for t in case.materials.values_list("type", flat=True)),
            pledge_signed=case.pledge_signed,
            priority_standards=case.priority_standards,
            priority_appraisal_station=case.priority_appraisal_station,
            priority_self_certification=case.priority_self_certification,
        )
    )
