"""The Content-Security-Policy middleware: django-csp's, with one exception for PDFs.

Every answer carries ``CONTENT_SECURITY_POLICY`` (settings.py; docs/security.md, "G"), except a
PDF: Chrome shows a PDF opened in the browser through its own ``<embed>``, which ``object-src
'none'`` refuses (crbug.com/271452), so the certificates and materials the API serves inline
would show a blocked-content page. A PDF carries ``frame-ancestors 'none'`` only: nobody frames
it, and no policy of a page applies to its contents anyway (PDFs with JavaScript are refused on
upload, docs/security.md, "F").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp.middleware import CSPMiddleware, PolicyParts

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

PDF_POLICY = {"frame-ancestors": ["'none'"]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        kind = response.get("Content-Type", "").split(";")[0].strip().lower()
        if kind == "application/pdf" and not report_only and parts.config is None:
            parts.config, parts.update, parts.replace = PDF_POLICY, None, None
        return parts
