"""Account pages' addresses (names under the ``web`` namespace)."""

from django.urls import path

from skillcert.web.accounts import profile, views
from skillcert.web.ratelimit import limit_posts

urlpatterns = [
    path("login/otp", limit_posts("auth", "login")(views.login_otp), name="login_otp"),
    path("account", profile.account, name="account"),
    path("account/users", profile.account_users, name="account_users"),
    path("account/users/<int:pk>", profile.account_user, name="account_user"),
    path("account/password", views.password_change, name="password_change"),
    path("account/totp", views.totp_enroll, name="totp_enroll"),
    path("account/totp/qr.svg", views.totp_qr, name="totp_qr"),
    path("account/security/locks", views.security_locks, name="security_locks"),
    path("account/security/unlock", views.security_unlock, name="security_unlock"),
    path("account/security/reset", views.security_reset, name="security_reset"),
]
