"""The messages part of the v1 contract's paths (names under the ``api`` namespace)."""

from skillcert.api.inbox import views
from skillcert.api.routing import route

urlpatterns = [
    route(r"api/v1/messages", views.MessagesView.as_view(), "messages"),
    route(r"api/v1/messages/(?P<pk>\d+)/read", views.MessageReadView.as_view(), "message_read"),
]
