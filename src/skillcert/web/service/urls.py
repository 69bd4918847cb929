"""The government-service pages' addresses (names under the ``web`` namespace)."""

from django.urls import path

from skillcert.web.service import views

urlpatterns = [
    path("guide", views.guide_list, name="guides"),
    path("guide/<slug:slug>", views.guide_detail, name="guide"),
    path("guide/<slug:slug>/edit", views.guide_edit, name="guide_edit"),
    path("ratings", views.rate, name="rate"),
    path("review/ratings", views.ratings_page, name="review_ratings"),
    path("review/ratings.xlsx", views.ratings_workbook, name="review_ratings_xlsx"),
    path("account/site", views.site_settings_page, name="site_settings"),
]
