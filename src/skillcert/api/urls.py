"""The v1 contract's paths: each domain's ``urls.py``, then the worklist, the schema and the
catch-all that answers an unknown path in the contract's error shape.

Public verification comes first: the busiest path resolves without scanning the others.
"""

from django.urls import re_path

from skillcert.api import docs, worklist
from skillcert.api.accounts import urls as accounts
from skillcert.api.assessment import urls as assessment
from skillcert.api.audit import urls as audit
from skillcert.api.certificates import urls as certificates
from skillcert.api.formal import urls as formal
from skillcert.api.inbox import urls as inbox
from skillcert.api.public import urls as public
from skillcert.api.registry import urls as registry
from skillcert.api.routing import route
from skillcert.api.schema import SchemaView
from skillcert.api.supervision import urls as supervision
from skillcert.api.unknown import unknown_endpoint

app_name = "api"

urlpatterns = [
    *certificates.urlpatterns,
    *accounts.urlpatterns,
    route(r"api/v1/worklist", worklist.WorklistView.as_view(), "worklist"),
    *inbox.urlpatterns,
    *registry.urlpatterns,
    *assessment.urlpatterns,
    *supervision.urlpatterns,
    *audit.urlpatterns,
    *public.urlpatterns,
    *formal.urlpatterns,
    # Schema
    route(r"api/schema", SchemaView.as_view(), "schema"),
    route(r"api/docs", docs.api_docs_view(url_name="api:schema"), "docs"),
    re_path(r"^api/", unknown_endpoint),
]
