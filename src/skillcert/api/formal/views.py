"""``GET /api/v1/documents?object=<type>:<id>``, ``GET /api/v1/documents/{code}.pdf`` and the
public ``GET /api/v1/public/documents/{code}`` (api.md, Government-service steps).

An object's documents and their PDFs: only for those who may read the object (404 like an
absent one otherwise); an unknown object type is 400. The public check answers what the
verification page shows; an unknown code is 404 ``not_found``, exactly like a forged one, and
is rate-limited at the ``verify`` rate like certificate checks.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.formal.subjects import may_see, may_see_subject, parse_object
from skillcert.api.throttling import WindowRateThrottle
from skillcert.formal.models import DocumentStatus, FormalDocument
from skillcert.formal.pdf import render_document
from skillcert.formal.service import documents_of, find_public, public_view
from skillcert.rules.errors import NotFound

DOCUMENT_ROW = inline_serializer(
    "FormalDocumentRow",
    {
        "code": serializers.CharField(help_text="核验码（二维码所指核验页的地址末段）"),
        "number": serializers.CharField(help_text="文号，如 合人社认〔2026〕12号"),
        "title": serializers.CharField(),
        "date": serializers.DateField(),
        "url": serializers.CharField(help_text="PDF 下载地址"),
    },
    many=True,
)

PUBLIC_DOCUMENT = inline_serializer(
    "PublicFormalDocument",
    {
        "number": serializers.CharField(),
        "title": serializers.CharField(),
        "date": serializers.DateField(),
        "authority": serializers.CharField(help_text="出具机关"),
        "recipient": serializers.CharField(help_text="送达对象"),
        "status": serializers.ChoiceField(choices=DocumentStatus.values),
    },
)


def pdf_url(document: FormalDocument) -> str:
    return f"/api/v1/documents/{document.code}.pdf"


class DocumentsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "object",
                str,
                required=True,
                description="对象：filing:<id>、batch:<id> 或 organization:<id>",
            )
        ],
        responses={200: DOCUMENT_ROW},
    )
    def get(self, request: Request) -> Response:
        kind, pk = parse_object(request.query_params.get("object"))
        if not may_see(request.user, kind, pk):
            raise NotFound("未找到该对象", code="not_found")
        return Response(
            [
                {
                    "code": document.code,
                    "number": document.number,
                    "title": document.title,
                    "date": document.issued_on.isoformat(),
                    "url": pdf_url(document),
                }
                for document in documents_of(f"{kind}:{pk}")
            ]
        )


class DocumentPdfView(APIView):
    @extend_schema(
        operation_id="v1_documents_pdf_retrieve", responses={(200, "application/pdf"): bytes}
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        document = (
            FormalDocument.objects.select_related("authority", "seal").filter(code=code).first()
        )
        if document is None or not may_see_subject(request.user, document.subject):
            raise NotFound("未找到该文书", code="not_found")
        response = HttpResponse(render_document(document), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="document-{document.code}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class PublicDocumentView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "verify"

    @extend_schema(responses={200: PUBLIC_DOCUMENT}, auth=[])
    def get(self, request: Request, code: str) -> Response:
        response = Response(public_view(find_public(code)))
        response["Cache-Control"] = "private, no-store"
        return response
