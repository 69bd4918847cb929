"""v1 endpoints of batches: plans, candidates, implementation, results, publicity, issue,
result filing and the annexes; and the provincial center's certificate segments."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.pagination import Pagination, paginated
from skillcert.api.registry.objections import OTHER_RESOLVERS
from skillcert.api.registry.serializers import ObjectionSerializer
from skillcert.api.throttling import WindowRateThrottle
from skillcert.api.workflow import HistorySerializer, WorkflowFields, history_of
from skillcert.assessment.access import (
    batches_for,
    get_batch_for_user,
    may_download_annexes,
    parties_for_batch,
)
from skillcert.assessment.models import Batch
from skillcert.assessment.selectors import batch_deadline, ordered_by_deadline
from skillcert.assessment.services import implementation, plans, results
from skillcert.assessment.workflow import annex_not_ready
from skillcert.certificates.models import Certificate, Segment
from skillcert.certificates.selectors import serials_left
from skillcert.certificates.services.issuing import issue_batch
from skillcert.certificates.services.segments import allocate_segment
from skillcert.registry.access import organization_of
from skillcert.registry.models import Objection
from skillcert.rules.errors import Forbidden, InvalidInput, NotFound
from skillcert.rules.idtypes import mask_id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
    source = serializers.CharField()
    attended = serializers.BooleanField(allow_null=True)
    scores = serializers.DictField()
    passed = serializers.BooleanField(allow_null=True)
    certificate_number = serializers.CharField(allow_null=True)


extend_schema_field_candidates = extend_schema_field(CandidateSerializer(many=True))


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

    class Meta:
        model = Batch
        fields = [
            "id",
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
        objections = Objection.objects.filter(subject="batch", subject_id=batch.pk)
        return ObjectionSerializer(
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


class BatchListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    site_city = serializers.CharField(source="site_city.code")
    candidates = serializers.IntegerField(source="candidate_count")

    class Meta:
        model = Batch
        fields = [
            "id",
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


def body(request: Request) -> dict[str, Any]:
    return request.data if isinstance(request.data, dict) else {}


BATCH_BODY = inline_serializer(
    "BatchRequest",
    {
        "title": serializers.CharField(),
        "start_date": serializers.DateField(),
        "end_date": serializers.DateField(),
        "site_city": serializers.CharField(),
        "site_address": serializers.CharField(),
        "subjects": serializers.ListField(child=serializers.CharField()),
        "pass_mark": serializers.IntegerField(required=False),
        "items": serializers.ListField(child=serializers.DictField()),
        "staff": serializers.ListField(child=serializers.DictField()),
        "candidates": serializers.ListField(child=serializers.DictField()),
    },
)


class BatchListView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[OpenApiParameter("state", str), OpenApiParameter("copied_to_province", bool)],
        responses={200: BatchListSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:

        batches = batches_for(request.user).select_related("organization", "site_city")
        state = request.query_params.get("state")
        if state:
            batches = batches.filter(state=state)
        if request.query_params.get("copied_to_province") in {"1", "true"}:
            batches = batches.filter(copied_to_province=True)
        batches = ordered_by_deadline(batches)
        return paginated(request, batches, lambda page: BatchListSerializer(page, many=True).data)

    @extend_schema(request=BATCH_BODY, responses={201: BatchSerializer})
    def post(self, request: Request) -> Response:
        organization = organization_of(request.user)
        if organization is None:
            raise Forbidden("只有评价组织用户可以创建认定批次", code="forbidden")
        batch = plans.create_batch(organization, request.data, actor=request.user)
        return batch_response(batch, request, status.HTTP_201_CREATED)


class BatchDetailView(APIView):
    @extend_schema(responses={200: BatchSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return batch_response(get_batch_for_user(request.user, pk), request)

    @extend_schema(request=BATCH_BODY, responses={200: BatchSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        batch = get_batch_for_user(request.user, pk)
        return batch_response(plans.update_batch(batch, request.data, actor=request.user), request)


def _no_body(request: Request, batch: Batch) -> Batch:
    return batch


BATCH_ACTIONS: dict[str, Any] = {
    "submit": lambda batch, request: plans.submit_plan(batch, actor=request.user),
    "results": lambda batch, request: results.enter_results(
        batch, body(request), actor=request.user
    ),
    "attendance": lambda batch, request: implementation.record_attendance(
        batch, body(request), actor=request.user
    ),
    "publicize": lambda batch, request: results.publicize_results(batch, actor=request.user),
    "issue": lambda batch, request: issue_batch(batch, actor=request.user),
    "file-results": lambda batch, request: results.file_results(batch, actor=request.user),
}
ACTION_BODIES = {
    "results": inline_serializer(
        "ResultsRequest",
        {
            "results": serializers.ListField(
                child=inline_serializer(
                    "ResultEntry",
                    {"id_number": serializers.CharField(), "scores": serializers.DictField()},
                )
            )
        },
    ),
    "attendance": inline_serializer(
        "AttendanceRequest", {"absent": serializers.ListField(child=serializers.CharField())}
    ),
}


def batch_action_view(action: str) -> type[APIView]:
    """``POST /api/v1/batches/{id}/<action>``: one workflow step; returns the batch."""

    @extend_schema(
        operation_id=f"batch_{action.replace('-', '_')}",
        request=ACTION_BODIES.get(action),
        responses={200: BatchSerializer},
    )
    def post(self: APIView, request: Request, pk: int) -> Response:
        batch = get_batch_for_user(request.user, pk)
        BATCH_ACTIONS[action](batch, request)
        return batch_response(batch, request)

    name = "Batch" + "".join(part.title() for part in action.split("-")) + "View"
    return type(name, (APIView,), {"post": post, "__doc__": f"Batch action {action}."})


class BatchInspectionsView(APIView):
    @extend_schema(
        request=inline_serializer(
            "InspectionRequest",
            {"stage": serializers.CharField(), "findings": serializers.CharField()},
        ),
        responses={201: BatchSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        batch = get_batch_for_user(request.user, pk)
        implementation.record_inspection(batch, request.data, actor=request.user)
        return batch_response(batch, request, status.HTTP_201_CREATED)


class BatchObjectionsView(APIView):
    """Anyone may object to published results while the publicity runs."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "public"

    @extend_schema(
        request=inline_serializer(
            "BatchObjectionRequest",
            {"content": serializers.CharField(), "contact": serializers.CharField()},
        ),
        responses={201: ObjectionSerializer},
        auth=[],
    )
    def post(self, request: Request, pk: int) -> Response:
        batch = Batch.objects.filter(pk=pk).first()  # the service checks the publicity runs
        if batch is None:
            raise NotFound("该批次不在结果公示期", code="not_found")
        objection = results.lodge_batch_objection(batch, request.data)
        data = ObjectionSerializer(objection, context={"reviewer": False, "request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


def resolve_batch_objection(request: Request, pk: int) -> Response | None:
    """Registered with the objection endpoint: objections that belong to a batch."""
    objection = Objection.objects.filter(pk=pk, subject="batch").first()
    if objection is None or not batches_for(request.user).filter(pk=objection.subject_id).exists():
        return None
    data = body(request)
    resolved = results.resolve_batch_objection(
        objection, upheld=data.get("upheld"), reason=data.get("reason"), actor=request.user
    )
    return Response(
        ObjectionSerializer(resolved, context={"reviewer": True, "request": request}).data
    )


OTHER_RESOLVERS.append(resolve_batch_objection)


class CandidatesUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "CandidatesUpload", {"file": serializers.FileField()}
            )
        },
        responses={200: BatchSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        from skillcert.assessment.excel import import_candidates
        from skillcert.registry.services.materials import read_upload

        batch = get_batch_for_user(request.user, pk)
        upload = request.FILES.get("file")
        data = read_upload(upload) if upload is not None else None
        if data is None:
            raise InvalidInput.for_field("file", "请选择要上传的 Excel 文件")
        import_candidates(batch, data, actor=request.user)
        return batch_response(batch, request)


class ResultsUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ResultsUpload", {"file": serializers.FileField()}
            )
        },
        responses={200: BatchSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        from skillcert.assessment.excel import import_results
        from skillcert.registry.services.materials import read_upload

        batch = get_batch_for_user(request.user, pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput.for_field("file", "请选择要上传的 Excel 文件")
        import_results(batch, read_upload(upload), actor=request.user)
        return batch_response(batch, request)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


def _quote(filename: str) -> str:
    from urllib.parse import quote

    return quote(filename)


class CandidatesTemplateView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, XLSX): bytes}, auth=[])
    def get(self, request: Request) -> HttpResponse:
        from skillcert.assessment.excel import candidates_template

        return xlsx_response(candidates_template(), "考生名单模板.xlsx")


class ResultsTemplateView(APIView):
    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        from skillcert.assessment.excel import results_template

        batch = get_batch_for_user(request.user, pk)
        if "organization" not in parties_for_batch(request.user, batch):
            raise Forbidden("只有本批次的评价组织可以下载成绩模板", code="forbidden")
        return xlsx_response(results_template(batch), f"成绩录入-{batch.title}.xlsx")


class CandidatesReportView(APIView):
    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request: Request, pk: int, token: str) -> HttpResponse:
        from skillcert.assessment.excel import report_path

        batch = get_batch_for_user(request.user, pk)
        if "organization" not in parties_for_batch(request.user, batch):
            raise NotFound("未找到该错误报告", code="not_found")
        path = report_path(batch, token)
        if path is None:
            raise NotFound("未找到该错误报告（可能已过期）", code="not_found")
        return FileResponse(
            path.open("rb"), as_attachment=True, filename="错误报告.xlsx", content_type=XLSX
        )


class AnnexView(APIView):
    annex = 4

    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        batch = get_batch_for_user(request.user, pk)
        if not may_download_annexes(request.user, batch):
            raise Forbidden("只有评价组织、所在市鉴定中心和省级可以下载附件", code="forbidden")
        if self.annex == 4:
            from skillcert.assessment.annex4 import annex4

            if annex_not_ready(batch, 4):
                raise _not_yet(annex_not_ready(batch, 4))
            return xlsx_response(annex4(batch), f"附件4-认定结果汇总表-{batch.title}.xlsx")
        from skillcert.certificates.annex5 import annex5

        if annex_not_ready(batch, 5):
            raise _not_yet(annex_not_ready(batch, 5))
        return xlsx_response(annex5(batch), f"附件5-合格人员证书信息表-{batch.title}.xlsx")


def _not_yet(message: str) -> Exception:
    from skillcert.rules.errors import Conflict

    return Conflict(message, code="invalid_state")


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


class SegmentsView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[OpenApiParameter("organization", int)],
        responses={200: SegmentSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        from skillcert.certificates.models import CertificateCounter
        from skillcert.registry.access import organizations_for

        segments = Segment.objects.filter(
            organization__in=organizations_for(request.user)
        ).order_by("organization", "year", "level", "first")
        organization = request.query_params.get("organization")
        if organization and organization.isdigit():
            segments = segments.filter(organization_id=int(organization))
        counters = {
            (c.organization_id, c.year, c.level): c.last_serial
            for c in CertificateCounter.objects.filter(
                organization__in=segments.values("organization")
            )
        }
        return paginated(
            request,
            segments,
            lambda page: SegmentSerializer(page, many=True, context={"counters": counters}).data,
        )

    @extend_schema(
        request=inline_serializer(
            "SegmentAllocation",
            {
                "organization": serializers.IntegerField(),
                "year": serializers.IntegerField(),
                "level": serializers.IntegerField(),
                "first": serializers.IntegerField(),
                "last": serializers.IntegerField(),
            },
        ),
        responses={201: SegmentSerializer},
    )
    def post(self, request: Request) -> Response:
        segment = allocate_segment(request.data, actor=request.user)
        return Response(SegmentSerializer(segment).data, status=status.HTTP_201_CREATED)
