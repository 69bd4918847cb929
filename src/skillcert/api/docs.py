"""The developer documentation page (Swagger UI) under the site's Content-Security-Policy.

drf-spectacular's default page starts Swagger UI with an inline script and styles itself with an
inline ``<style>``; the policy allows neither (docs/security.md, "G"). The split view serves the
start script from this same address (``?script``), so ``script-src 'self'`` covers it, and the
template below replaces the inline styles with a stylesheet. Swagger UI's own stylesheet draws its
icons as ``data:`` SVG images: this page alone may show ``data:`` images.
"""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


def api_docs_view(**initkwargs: Any) -> Any:
    return csp_update({"img-src": ["data:"]})(ApiDocsView.as_view(**initkwargs))
