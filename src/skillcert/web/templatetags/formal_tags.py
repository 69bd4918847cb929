"""``{% formal_documents "filing" case.pk %}`` (or ``{% formal_documents "filing:12" %}``): the
table of an object's formal documents (文书, 文号, 日期, 状态, 下载) for its case page.

Put it only on pages whose viewer may already see the object: the tag lists what was issued
on it and does not check access itself (the PDF download, ``/api/v1/documents/<code>.pdf``,
does).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from skillcert.formal.service import documents_of

register = template.Library()


@register.inclusion_tag("web/formal/parts/documents.html")
def formal_documents(subject: str, pk: Any = None) -> dict[str, Any]:
    key = f"{subject}:{pk}" if pk not in (None, "") else str(subject)
    rows = [
        {
            "document": document,
            "pdf_url": reverse("api:document-pdf", args=[document.code]),
            "verify_url": reverse("web:formal_document", args=[document.code]),
        }
        for document in documents_of(key)
    ]
    return {"rows": rows, "subject": key}
