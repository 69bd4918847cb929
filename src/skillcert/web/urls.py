from django.contrib.auth import views as auth_views
from django.urls import path

from skillcert.web import applicant, review, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog", views.catalog, name="catalog"),
    path("notices", views.notices, name="notices"),
    path("notices/<int:pk>/objection", views.objection, name="objection"),
    path("verify", views.verify, name="verify"),
    path("verify/<str:number>", views.verify, name="verify_number"),
    path("register", views.register, name="register"),
    path(
        "login",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard", views.dashboard, name="dashboard"),
    # An organization's applications
    path("org/filings", applicant.filings, name="org_filings"),
    path("org/filings/new", applicant.filing_new, name="org_filing_new"),
    path("org/filings/<int:pk>", applicant.filing_detail, name="org_filing"),
    path("org/filings/<int:pk>/edit", applicant.filing_edit, name="org_filing_edit"),
    path("org/filings/<int:pk>/materials", applicant.filing_material, name="org_filing_material"),
    path("org/filings/<int:pk>/submit", applicant.filing_submit, name="org_filing_submit"),
    # Officers and inspectors
    path("review/filings", review.worklist_page, name="review_worklist"),
    path("review/filings/<int:pk>", review.case_page, name="review_case"),
    path("review/filings/<int:pk>/act", review.filing_action, name="review_action"),
    path("review/objections/<int:pk>/resolve", review.objection_resolve, name="review_objection"),
    path("review/organizations", review.organizations_page, name="review_organizations"),
    path("review/organizations/<int:pk>", review.organization_page, name="review_organization"),
    path(
        "review/organizations/<int:pk>/act",
        review.organization_action,
        name="review_organization_action",
    ),
    path("review/thresholds", review.thresholds_page, name="review_thresholds"),
]
