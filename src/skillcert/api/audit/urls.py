"""The audit part of the v1 contract's paths (names under the ``api`` namespace)."""

from skillcert.api.audit import views
from skillcert.api.routing import route

urlpatterns = [
    route(r"api/v1/audit/entries", views.AuditEntriesView.as_view(), "audit-entries"),
    route(r"api/v1/audit/verify", views.AuditVerifyView.as_view(), "audit-verify"),
]
