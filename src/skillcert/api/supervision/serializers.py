"""What the supervision endpoints answer: draws, inspections and their findings, annual reports,
violations."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from skillcert.api.workflow import WorkflowFields
from skillcert.supervision.models import (
    AnnualReport,
    Finding,
    Inspection,
    InspectionDraw,
    Rectification,
    Violation,
    ViolationKind,
)


def draw_answer(record: InspectionDraw) -> dict[str, Any]:
    """The contract's ``seed``, ``targets``, ``inspectors``, with labels and the digests."""
    labels = {t["id"]: t["label"] for t in record.targets_pool}
    people = {i["id"]: i["label"] for i in record.inspectors_pool}
    return {
        "id": record.pk,
        "seed": record.seed,
        "seed_given": record.seed_given,
        "date": record.business_date,
        "targets": [{"id": t, "label": labels[t]} for t in record.result["targets"]],
        "inspectors": [
            {
                "target": a["target"],
                "inspectors": [{"id": i, "label": people[i]} for i in a["inspectors"]],
            }
            for a in record.result["assignments"]
        ],
        "targets_digest": record.targets_digest,
        "inspectors_digest": record.inspectors_digest,
        "public": f"/api/v1/public/inspection-draws/{record.pk}",
        "inspections": list(record.inspections.values_list("pk", flat=True)),
    }


class RectificationSerializer(WorkflowFields, serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = ["requirement", "due_on", "response", "accepted", "state", "actions", "next"]


class FindingSerializer(serializers.ModelSerializer):
    findings = serializers.CharField(source="text")
    attachment = serializers.CharField(source="attachment_name")

    class Meta:
        model = Finding
        fields = ["stage", "findings", "attachment", "recorded_at"]


class InspectionSerializer(WorkflowFields, serializers.ModelSerializer):
    """An inspection with its findings, conclusion and rectification (``rectification`` only
    when one was ordered), what the caller may do on it and who acts next."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    filing_number = serializers.CharField(
        source="organization.filing_number", read_only=True, allow_null=True
    )
    conclusion_label = serializers.SerializerMethodField()
    findings = FindingSerializer(many=True, read_only=True)
    rectification = serializers.SerializerMethodField()
    inspectors = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "draw",
            "organization",
            "organization_name",
            "filing_number",
            "batch",
            "state",
            "conclusion",
            "conclusion_label",
            "conclusion_note",
            "published_on",
            "ended_on",
            "end_reason",
            "findings",
            "rectification",
            "inspectors",
            "actions",
            "next",
        ]

    def get_conclusion_label(self, inspection: Inspection) -> str:
        return inspection.get_conclusion_display() if inspection.conclusion else ""

    @extend_schema_field(RectificationSerializer(required=False))
    def get_rectification(self, inspection: Inspection) -> dict[str, Any] | None:
        rectification = getattr(inspection, "rectification", None)
        if rectification is None:
            return None
        return RectificationSerializer(rectification, context=self.context).data

    def get_inspectors(self, inspection: Inspection) -> list[str]:
        return [u.display_name or u.username for u in inspection.inspectors.all()]

    def to_representation(self, instance: Inspection) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data["rectification"] is None:
            del data["rectification"]
        return data


class PublicInspectionSerializer(InspectionSerializer):
    """一公开: what the public reads of a published inspection (never the inspectors)."""

    class Meta(InspectionSerializer.Meta):
        fields = [
            f
            for f in InspectionSerializer.Meta.fields
            if f not in {"inspectors", "actions", "next", "ended_on", "end_reason"}
        ]

    @extend_schema_field(RectificationSerializer(required=False))
    def get_rectification(self, inspection: Inspection) -> dict[str, Any] | None:
        rectification = getattr(inspection, "rectification", None)
        if rectification is None:
            return None
        return {
            "requirement": rectification.requirement,
            "due_on": rectification.due_on,
            "response": rectification.response,
            "accepted": rectification.accepted,
        }


def inspection_answer(inspection: Inspection, request: Request) -> dict[str, Any]:
    return InspectionSerializer(inspection, context={"request": request}).data


def inspection_page(request: Request, page: list[Inspection]) -> Any:
    return InspectionSerializer(page, many=True, context={"request": request}).data


class AnnualReportSerializer(WorkflowFields, serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text="`filed`: a report row is filed")

    class Meta:
        model = AnnualReport
        fields = [
            "id",
            "organization",
            "year",
            "narrative",
            "statistics",
            "filed_on",
            "due_on",
            "late",
            "state",
            "actions",
            "next",
        ]


class ViolationSerializer(serializers.Serializer):
    """A recorded violation, as ``_violation`` answers it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(ViolationKind.choices)
    description = serializers.CharField()
    recorded_on = serializers.DateField()
    led_to_exit = serializers.BooleanField()


def _violation(violation: Violation) -> dict[str, Any]:
    return {
        "id": violation.pk,
        "kind": violation.kind,
        "description": violation.description,
        "recorded_on": violation.recorded_on,
        "led_to_exit": violation.led_to_exit,
    }
