"""How registry objects look in the v1 contract (read-only serializers)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from skillcert.accounts.models import Authority
from skillcert.api.workflow import HistorySerializer, WorkflowFields, history_of
from skillcert.certificates.national.filings import confirmed_ids as ministry_confirmed
from skillcert.registry import checklist as eligibility
from skillcert.registry.access import may_read_materials, parties_for_case, sees_full_phone
from skillcert.registry.machines import FILING_MACHINE
from skillcert.registry.models import (
    Evaluation,
    FilingCase,
    FilingMaterial,
    Notice,
    Objection,
    Organization,
    RetiredNumber,
    ScopeItem,
)
from skillcert.registry.selectors import cities_of, next_deadline_of
from skillcert.registry.services.filings import missing_for_submission
from skillcert.registry.workflow import Party
from skillcert.rules.disclosure import mask_phone


class ScopeItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="occupation_name")
    code = serializers.CharField(source="occupation_code")
    levels = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = ScopeItem
        fields = ["name", "code", "edition", "work_type", "levels", "new_occupation"]


class OrganizationBaseSerializer(serializers.ModelSerializer):
    # Null until the organization is filed (home_city: one registered outside Anhui).
    home_city: serializers.SlugRelatedField[Authority] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    filing_authority: serializers.SlugRelatedField[Authority] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    cities = serializers.SerializerMethodField()
    occupations = ScopeItemSerializer(source="scope_items", many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "credit_code",
            "category",
            "filing_number",
            "status",
            "scope",
            "channel",
            "industry",
            "home_city",
            "filing_authority",
            "cities",
            "occupations",
            "filed_on",
            "valid_until",
            "pilot_until",
            "exited_on",
            "exit_reason",
            "merged_into",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cities(self, organization: Organization) -> list[str]:
        return cities_of(organization, self.context.get("city_codes"))


class OrganizationSerializer(WorkflowFields, OrganizationBaseSerializer):
    """An organization as the officers and the organization itself read it, with what the
    caller may do on it (``actions``) and who acts next."""

    class Meta(OrganizationBaseSerializer.Meta):
        fields = [*OrganizationBaseSerializer.Meta.fields, "actions", "next"]


class PublicOrganizationSerializer(OrganizationBaseSerializer):
    city = serializers.SerializerMethodField()
    # 部鉴定中心评估确认 (三 (三)): whether the ministry's appraisal center confirmed the filing.
    ministry_confirmed = serializers.SerializerMethodField()

    class Meta(OrganizationBaseSerializer.Meta):
        fields = [
            "id",
            "filing_number",
            "name",
            "category",
            "status",
            "scope",
            "industry",
            "city",
            "cities",
            "occupations",
            "filed_on",
            "valid_until",
            "ministry_confirmed",
        ]

    def get_city(self, organization: Organization) -> str | None:
        authority = organization.filing_authority
        return authority.name if authority else None

    def get_ministry_confirmed(self, organization: Organization) -> bool:
        """From ``confirmed`` in the context (the page's organizations, asked at once)."""
        confirmed = self.context.get("confirmed")
        if confirmed is None:
            confirmed = ministry_confirmed([organization.pk])
        return organization.pk in confirmed


class MaterialSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField(read_only=True)  # not the column's range: it varies by database
    url = serializers.SerializerMethodField()

    class Meta:
        model = FilingMaterial
        fields = ["id", "type", "name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, material: FilingMaterial) -> str:
        return f"/api/v1/filings/{material.case_id}/materials/{material.pk}"


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "method", "evaluators", "date", "opinion", "score"]


class ObjectionSerializer(WorkflowFields, serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = [
            "id",
            "case_number",
            "content",
            "contact",
            "state",
            "resolution",
            "lodged_at",
            "resolved_at",
            "actions",
            "next",
        ]

    def to_representation(self, objection: Objection) -> dict[str, Any]:
        data = super().to_representation(objection)
        if not self.context.get("reviewer"):
            data.pop("contact")  # the objector's contact is for the officers handling it
        return data


class CheckItemSerializer(serializers.Serializer):
    rule = serializers.CharField()
    title = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()
    kind = serializers.CharField()


class DeadlineSerializer(serializers.Serializer):
    day = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    overdue = serializers.BooleanField()
    note = serializers.CharField()


class CorrectionItemSerializer(serializers.Serializer):
    """One item of a 补正 request (一次性告知): what to correct and how."""

    target = serializers.CharField()
    message = serializers.CharField()
    # Stubs are wrong here: they see this field as overriding ``Field.label``, but DRF's
    # SerializerMetaclass pops declared fields off the class (no attribute is shadowed).
    label = serializers.CharField()  # type: ignore[assignment]


class FilingSerializer(WorkflowFields, serializers.ModelSerializer):
    city = serializers.CharField(source="authority.code")
    correction_items = CorrectionItemSerializer(many=True, read_only=True)
    organization_name = serializers.CharField(source="organization.name")
    occupations = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    next_deadline = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    required_materials = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    evaluations = EvaluationSerializer(many=True, read_only=True)
    objections = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = FilingCase
        fields = [
            "id",
            "case_number",
            "organization",
            "organization_name",
            "kind",
            "channel",
            "city",
            "category",
            "state",
            "correction_items",
            "correction_requested_on",
            "withdrawn_on",
            "basic",
            "record",
            "narrative",
            "industry",
            "recommended_by",
            "already_filed",
            "same_scope",
            "pledge_signed",
            "priority_standards",
            "priority_appraisal_station",
            "priority_self_certification",
            "occupations",
            "checklist",
            "submitted_on",
            "acceptance_due",
            "accepted_on",
            "publicity_start",
            "publicity_end",
            "overdue",
            "next_deadline",
            "filed_on",
            "filing_number",
            "decision_reason",
            "materials",
            "required_materials",
            "missing",
            "evaluations",
            "objections",
            "actions",
            "next",
            "history",
        ]

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def to_representation(self, case: FilingCase) -> dict[str, Any]:
        data = super().to_representation(case)
        basic = data.get("basic")
        # The contact's phone in full for the organization and the officers only (§11).
        if isinstance(basic, dict) and basic.get("contact_phone"):
            if not sees_full_phone(self._user(), case.organization_id):
                data["basic"] = {**basic, "contact_phone": mask_phone(basic["contact_phone"])}
        return data

    def get_occupations(self, case: FilingCase) -> list[dict[str, Any]]:
        return [
            {
                "name": o.name,
                "code": o.code,
                "edition": o.edition,
                "work_type": o.work_type,
                "new_occupation": o.new_occupation,
                "years": o.years,
                "persons": o.persons,
                "subsidised": o.subsidised,
                "levels": o.levels,
                "experience_level": o.experience_level,
            }
            for o in case.occupations.all()
        ]

    @extend_schema_field(CheckItemSerializer(many=True))
    def get_checklist(self, case: FilingCase) -> list[dict[str, Any]]:
        return [
            {
                "rule": item.rule,
                "title": item.title,
                "passed": item.passed,
                "detail": item.detail,
                "kind": item.kind,
            }
            for item in eligibility.for_case(case).items
        ]

    def get_overdue(self, case: FilingCase) -> bool:
        if case.overdue:
            return True
        return FILING_MACHINE.overdue(case)

    @extend_schema_field(DeadlineSerializer)
    def get_next_deadline(self, case: FilingCase) -> dict[str, Any]:
        view = next_deadline_of(case)
        return {
            "day": view.day,
            "days_left": view.days_left,
            "overdue": view.overdue,
            "note": view.note,
        }

    @extend_schema_field(MaterialSerializer(many=True))
    def get_materials(self, case: FilingCase) -> list[dict[str, Any]]:
        if not may_read_materials(self._user(), case):
            return []
        # Stubs are wrong here: ``many=True`` makes DRF build a ListSerializer, whose ``.data``
        # is a list (ReturnList); the stubs type the call as the child and ``.data`` a ReturnDict.
        return MaterialSerializer(case.materials.all(), many=True).data  # type: ignore[return-value]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_required_materials(self, case: FilingCase) -> list[str]:
        return sorted(m.value for m in eligibility.required_for(case))

    @extend_schema_field(serializers.DictField(child=serializers.ListField()))
    def get_missing(self, case: FilingCase) -> dict[str, list[str]]:
        return (
            missing_for_submission(case) if FILING_MACHINE.may(case, self._user(), "submit") else {}
        )

    @extend_schema_field(ObjectionSerializer(many=True))
    def get_objections(self, case: FilingCase) -> list[dict[str, Any]]:
        reviewer = Party.REVIEWER in parties_for_case(self._user(), case) or getattr(
            self._user(), "is_province_officer", False
        )
        # Stubs are wrong here: ``many=True`` makes DRF build a ListSerializer, whose ``.data``
        # is a list (ReturnList); the stubs type the call as the child and ``.data`` a ReturnDict.
        return ObjectionSerializer(  # type: ignore[return-value]
            case.objections.all(),
            many=True,
            context={"reviewer": reviewer, "request": self.context.get("request")},
        ).data

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, case: FilingCase) -> list[dict[str, Any]]:
        return history_of(case)


class FilingListSerializer(serializers.ModelSerializer):
    """The worklist row: what an officer sorts and picks by."""

    city = serializers.CharField(source="authority.code")
    organization_name = serializers.CharField(source="organization.name")
    next_deadline = serializers.SerializerMethodField()

    class Meta:
        model = FilingCase
        fields = [
            "id",
            "case_number",
            "organization",
            "organization_name",
            "kind",
            "channel",
            "city",
            "state",
            "submitted_on",
            "acceptance_due",
            "publicity_end",
            "overdue",
            "filed_on",
            "next_deadline",
        ]

    @extend_schema_field(DeadlineSerializer)
    def get_next_deadline(self, case: FilingCase) -> dict[str, Any]:
        view = next_deadline_of(case)
        return {
            "day": view.day,
            "days_left": view.days_left,
            "overdue": view.overdue,
            "note": view.note,
        }


class NoticeSerializer(serializers.ModelSerializer):
    authority = serializers.CharField(source="authority.name")
    # Who publishes it: the organization for its result publicity (五 (三)), else the bureau.
    publisher = serializers.CharField(read_only=True)
    subject_id = serializers.IntegerField(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField()
    objections_open = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "authority",
            "publisher",
            "starts_on",
            "ends_on",
            "current",
            "filing",
            "subject_id",
            "objections_open",
        ]

    def to_representation(self, notice: Notice) -> dict[str, Any]:
        data = super().to_representation(notice)
        # A result publicity's names only while it runs (domain.md §11, minimal disclosure).
        data["body"] = notice.public_body(self.context["today"])
        return data

    def get_current(self, notice: Notice) -> bool:
        today = self.context["today"]
        return notice.ends_on is not None and notice.starts_on <= today <= notice.ends_on

    def get_objections_open(self, notice: Notice) -> bool:
        """Whether objections may be lodged now (a filing publicity that still runs)."""
        return bool(
            self.get_current(notice)
            and notice.filing is not None
            and FILING_MACHINE.may(notice.filing, None, "objections")
        )


class RetiredNumberSerializer(serializers.ModelSerializer):
    class Meta:
        model = RetiredNumber
        fields = ["number", "organization", "organization_name", "reason", "detail", "retired_on"]
