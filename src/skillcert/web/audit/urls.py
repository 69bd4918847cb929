"""The audit administrator's pages' addresses (names under the ``web`` namespace)."""

from django.urls import path

from skillcert.web.audit import views

urlpatterns = [
    path("audit/entries", views.entries_page, name="audit_entries"),
    path("audit/verify", views.verify_page, name="audit_verify"),
    path("audit/entries.xlsx", views.export, name="audit_export"),
]
