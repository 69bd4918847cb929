from django.urls import re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from skillcert.api import views
from skillcert.api.routing import route
from skillcert.api.unknown import unknown_endpoint

app_name = "api"

urlpatterns = [
    route(r"api/v1/auth/token", views.TokenView.as_view(), "token"),
    route(r"api/v1/register", views.RegisterView.as_view(), "register"),
    route(r"api/v1/me", views.MeView.as_view(), "me"),
    route(
        r"api/v1/organizations/(?P<pk>\d+)", views.OrganizationDetailView.as_view(), "organization"
    ),
    route(r"api/schema", SpectacularAPIView.as_view(), "schema"),
    route(r"api/docs", SpectacularSwaggerView.as_view(url_name="api:schema"), "docs"),
    re_path(r"^api/", unknown_endpoint),
]
