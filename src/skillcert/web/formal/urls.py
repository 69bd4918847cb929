"""Addresses of the formal-document pages (names under the ``web`` namespace)."""

from django.urls import path

from skillcert.web.formal import views

urlpatterns = [
    path("documents/<str:code>", views.document, name="formal_document"),
    path("authority/seals", views.seals, name="formal_seals"),
    path("authority/seals/<int:pk>/decide", views.seal_decide, name="formal_seal_decide"),
    path("authority/seals/<int:pk>/image", views.seal_image, name="formal_seal_image"),
]
