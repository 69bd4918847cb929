"""Formal documents' paths (names under the ``api`` namespace)."""

from skillcert.api.formal import views
from skillcert.api.routing import route

urlpatterns = [
    route(r"api/v1/documents", views.DocumentsView.as_view(), "documents"),
    route(
        r"api/v1/documents/(?P<code>[A-Za-z0-9_-]{1,64})\.pdf",
        views.DocumentPdfView.as_view(),
        "document-pdf",
    ),
    route(
        r"api/v1/public/documents/(?P<code>[^/]+)",
        views.PublicDocumentView.as_view(),
        "public-document",
    ),
]
