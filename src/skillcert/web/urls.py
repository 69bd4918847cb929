from django.contrib.auth import views as auth_views
from django.urls import path

from skillcert.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog", views.catalog, name="catalog"),
    path("notices", views.notices, name="notices"),
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
]
