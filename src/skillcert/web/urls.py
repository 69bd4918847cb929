"""The pages' addresses: the shell (home, sign-in, workbench) and each domain's own ``urls.py``.

Every name lives in the one ``web`` namespace (``web:org_filings``), whichever package declares it.
"""

from django.urls import path

from skillcert.web import views
from skillcert.web.accounts import reset as password_reset
from skillcert.web.accounts import urls as accounts
from skillcert.web.accounts import views as account_views
from skillcert.web.assessment import urls as assessment
from skillcert.web.audit import urls as audit
from skillcert.web.certificates import urls as certificates
from skillcert.web.formal import urls as formal
from skillcert.web.inbox import urls as inbox
from skillcert.web.public import urls as public
from skillcert.web.ratelimit import limit_posts
from skillcert.web.registry import urls as registry
from skillcert.web.service import urls as service
from skillcert.web.supervision import urls as supervision

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login",
        # Login attempts count per client at the token endpoint's rate (auth).
        # Accounts are locked after repeated failures by django-axes (web/accounts/views.py).
        limit_posts("auth", "login")(account_views.LoginView.as_view()),
        name="login",
    ),
    path("logout", account_views.logout, name="logout"),
    path("password/forgot", password_reset.forgot, name="password_forgot"),
    path("password/forgot/sent", password_reset.sent, name="password_reset_sent"),
    path(
        "password/reset/<str:uidb64>/<str:token>",
        password_reset.reset_link,
        name="password_reset_confirm",
    ),
    *accounts.urlpatterns,
    path("dashboard", views.dashboard, name="dashboard"),
    *inbox.urlpatterns,
    *public.urlpatterns,
    *service.urlpatterns,
    *registry.urlpatterns,
    *assessment.urlpatterns,
    *certificates.urlpatterns,
    *supervision.urlpatterns,
    *audit.urlpatterns,
    *formal.urlpatterns,
]
