"""Inbox pages' addresses (names under the ``web`` namespace)."""

from django.urls import path

from skillcert.web.inbox import views

urlpatterns = [
    path("messages", views.inbox, name="messages"),
    path("messages/settings", views.preferences, name="message_settings"),
    path("messages/read-all", views.read_all, name="messages_read_all"),
    path("messages/<int:pk>/open", views.open_message, name="message_open"),
]
