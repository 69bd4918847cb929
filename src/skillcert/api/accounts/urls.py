"""The accounts part of the v1 contract's paths (names under the ``api`` namespace)."""

from skillcert.api.accounts import views
from skillcert.api.routing import route

urlpatterns = [
    route(r"api/v1/auth/token", views.TokenView.as_view(), "token"),
    route(r"api/v1/auth/password", views.PasswordView.as_view(), "password"),
    route(r"api/v1/register", views.RegisterView.as_view(), "register"),
    route(r"api/v1/me", views.MeView.as_view(), "me"),
    route(r"api/v1/users/(?P<pk>\d+)", views.UserNamesView.as_view(), "user-names"),
]
