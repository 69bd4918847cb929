"""The v1 responses of batches (and the provincial center's certificate segments)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from skillcert.api.registry.serializers import ObjectionSerializer
from skillcert.api.workflow import HistorySerializer, WorkflowFields, history_of
from skillcert.assessment.access import parties_for_batch
from skillcert.assessment.models import Batch
from skillcert.assessment.selectors import batch_deadline, plan_receipt, results_receipt
from skillcert.certificates.models import Certificate, Segment
from skillcert.certificates.selectors import serials_left
from skillcert.registry.access import organization_of
from skillcert.registry.models import Objection
from skillcert.rules.idtypes import mask_id_number

extend_schema_field_list = extend_schema_field(serializers.ListField(child=serializers.DictField()))
extend_schema_field_dict = extend_schema_field(serializers.DictField())


class CandidateSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_type = serializers.CharField()
    id_number = serializers.CharField()
    work_unit = serializers.CharField()
    city = serializers.CharField()
    occupation_code = serializers.CharField()
    occupation_name = serializers.CharField()
    work_type = serializers.CharField()
    level = serializers.IntegerField()
    # Stubs are wrong here: they see this field as overriding ``Field.source``, but DRF's
    # SerializerMetaclass pops declared fields off the class (no attribute is shadowed).
    source = serializers.CharField()  # type: ignore[assignment]
    attended = serializers.BooleanField(allow_null=True)
    scores = serializers.DictField()
    passed = serializers.BooleanField(allow_null=True)
    certificate_number = serializers.CharField(allow_null=True)


extend_schema_field_candidates = extend_schema_field(CandidateSerializer(many=True))


class ReceiptSerializer(serializers.Serializer):
    """A plan or result filing with the appraisal center (签收 / 退回, domain.md §9)."""

    status = serializers.ChoiceField(
        choices=["awaiting", "received", "returned"],
        help_text="awaiting: the center may receive or return it until `due`",
    )
    due = serializers.DateField(allow_null=True, help_text="the 3rd working day after filing")
    received_on = serializers.DateField(allow_null=True)
    received_by = serializers.CharField(
        allow_null=True, help_text="null when received by time (unanswered by `due`)"
    )
    by_time = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="a return's reasons, every one"
    )


class BatchSerializer(WorkflowFields, serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    site_city = serializers.CharField(source="site_city.code")
    items = serializers.SerializerMethodField()
    staff = serializers.SerializerMethodField()
    candidates = serializers.SerializerMethodField()
    inspections = serializers.SerializerMethodField()
    objections = serializers.SerializerMethodField()
    next_deadline = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    # 办件编号 (domain.md §9): ``case_number`` is the plan filing's (JH-…), from its first
    # submission; ``results_case_number`` the result filing's (JG-…); both "" until then.
    case_number = serializers.CharField(source="plan_case_number")
    plan_receipt = serializers.SerializerMethodField()
    results_receipt = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = [
            "id",
            "case_number",
            "results_case_number",
            "organization",
            "organization_name",
            "title",
            "start_date",
            "end_date",
            "site_city",
            "site_address",
            "overview",
            "subjects",
            "pass_marks",
            "industry_only",
            "state",
            "plan_deadline",
            "plan_filed_on",
            "copied_to_province",
            "publicity_start",
            "publicity_end",
            "results_due",
            "results_filed_on",
            "late",
            "plan_receipt",
            "results_receipt",
            "withdrawn_on",
            "next_deadline",
            "items",
            "staff",
            "candidates",
            "inspections",
            "objections",
            "actions",
            "next",
            "history",
        ]

    def _user(self) -> Any:
        return getattr(self.context.get("request"), "user", None)

    def _owner(self, batch: Batch) -> bool:
        own = organization_of(self._user())
        return own is not None and own.pk == batch.organization_id

    @extend_schema_field_list
    def get_items(self, batch: Batch) -> list[dict[str, Any]]:
        return [
            {
                "occupation_code": i.occupation_code,
                "occupation_name": i.occupation_name,
                "work_type": i.work_type,
                "level": i.level,
            }
            for i in batch.items.all()
        ]

    @extend_schema_field_list
    def get_staff(self, batch: Batch) -> list[dict[str, Any]]:
        owner = self._owner(batch)
        return [
            {
                "role": s.role,
                "name": s.name,
                "id_type": s.id_type,
                "id_number": s.id_number if owner else mask_id_number(s.id_number),
            }
            for s in batch.staff.all()
        ]

    @extend_schema_field_candidates
    def get_candidates(self, batch: Batch) -> list[dict[str, Any]]:
        numbers = dict(
            Certificate.objects.filter(batch=batch)
            .exclude(status="superseded")
            .values_list("candidate_id", "number")
        )
        return [
            {
                "name": c.name,
                "id_type": c.id_type,
                "id_number": c.id_number,
                "work_unit": c.work_unit,
                "city": c.city,
                "occupation_code": c.occupation_code,
                "occupation_name": c.occupation_name,
                "work_type": c.work_type,
                "level": c.level,
                "source": c.source,
                "attended": c.attended,
                "scores": c.scores,
                "passed": c.passed,
                "certificate_number": numbers.get(c.pk),
            }
            for c in batch.candidates.all()
        ]

    @extend_schema_field_list
    def get_inspections(self, batch: Batch) -> list[dict[str, Any]]:
        return [
            {
                "stage": i.stage,
                "findings": i.findings,
                "inspector": i.inspector.display_name or i.inspector.username,
                "date": i.business_date,
                "recorded_at": i.recorded_at,
            }
            for i in batch.inspections.select_related("inspector")
        ]

    @extend_schema_field_list
    def get_objections(self, batch: Batch) -> list[dict[str, Any]]:
        reviewer = bool(parties_for_batch(self._user(), batch) - {"organization", "inspector"})
        objections = Objection.objects.filter(batch=batch)
        # Stubs are wrong here: ``many=True`` makes DRF build a ListSerializer, whose ``.data``
        # is a list (ReturnList); the stubs type the call as the child and ``.data`` a ReturnDict.
        return ObjectionSerializer(  # type: ignore[return-value]
            objections,
            many=True,
            context={"reviewer": reviewer, "request": self.context.get("request")},
        ).data

    @extend_schema_field_dict
    def get_next_deadline(self, batch: Batch) -> dict[str, Any]:
        deadline = batch_deadline(batch)
        if deadline is None:
            return {"day": None, "days_left": None, "overdue": False, "note": "", "label": ""}
        view = deadline.view
        return {
            "day": view.day,
            "days_left": view.days_left,
            "overdue": view.overdue,
            "note": view.note,
            "label": deadline.label,
        }

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, batch: Batch) -> list[dict[str, Any]]:
        return history_of(batch)

    @extend_schema_field(ReceiptSerializer(allow_null=True))
    def get_plan_receipt(self, batch: Batch) -> dict[str, Any] | None:
        receipt = plan_receipt(batch)
        return receipt.as_dict() if receipt else None

    @extend_schema_field(ReceiptSerializer(allow_null=True))
    def get_results_receipt(self, batch: Batch) -> dict[str, Any] | None:
        receipt = results_receipt(batch)
        return receipt.as_dict() if receipt else None


class BatchListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    site_city = serializers.CharField(source="site_city.code")
    candidates = serializers.IntegerField(source="candidate_count")
    case_number = serializers.CharField(source="plan_case_number")

    class Meta:
        model = Batch
        fields = [
            "id",
            "case_number",
            "results_case_number",
            "organization",
            "organization_name",
            "title",
            "start_date",
            "end_date",
            "site_city",
            "state",
            "candidates",
            "plan_filed_on",
            "copied_to_province",
            "publicity_end",
            "results_due",
            "results_filed_on",
            "late",
        ]


def batch_response(batch: Batch, request: Request, code: int = 200) -> Response:
    fresh = Batch.objects.select_related("organization", "site_city").get(pk=batch.pk)
    return Response(BatchSerializer(fresh, context={"request": request}).data, status=code)


class SegmentSerializer(serializers.ModelSerializer):
    remaining = serializers.SerializerMethodField()

    class Meta:
        model = Segment
        fields = [
            "id",
            "organization",
            "year",
            "level",
            "first",
            "last",
            "remaining",
            "allocated_at",
        ]

    def get_remaining(self, segment: Segment) -> int:
        last_used = self.context.get("counters", {}).get(
            (segment.organization_id, segment.year, segment.level), 0
        )
        return serials_left([(segment.first, segment.last)], last_used)
