"""The public part of the v1 contract's paths (names under the ``api`` namespace)."""

from skillcert.api.public import views as public
from skillcert.api.registry.objections import PublicObjectionView
from skillcert.api.routing import route

urlpatterns = [
    # Public
    route(r"api/v1/public/organizations", public.CatalogView.as_view(), "catalog"),
    route(r"api/v1/public/notices", public.NoticesView.as_view(), "notices"),
    route(
        r"api/v1/public/audit/checkpoints",
        public.AuditCheckpointsView.as_view(),
        "audit-checkpoints",
    ),
    route(
        r"api/v1/public/audit/checkpoint-keys",
        public.AuditCheckpointKeysView.as_view(),
        "audit-checkpoint-keys",
    ),
    route(
        r"api/v1/public/objections/(?P<reference>[^/]+)",
        PublicObjectionView.as_view(),
        "public-objection",
    ),
    route(r"api/v1/occupations", public.OccupationSearchView.as_view(), "occupations"),
]
