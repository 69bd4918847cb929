"""The public pages' addresses (names under the ``web`` namespace)."""

from django.urls import path

from skillcert.web.public import objections, verify, views
from skillcert.web.public import supervision as supervision_public

urlpatterns = [
    path("catalog", views.catalog, name="catalog"),
    path("notices", views.notices, name="notices"),
    path("notices/<int:pk>", views.notice, name="notice"),
    path("notices/<int:pk>/objection", views.objection, name="objection"),
    path("objections/lookup", objections.lookup, name="objection_lookup"),
    path("verify", verify.verify, name="verify"),
    path("verify/<str:number>", verify.verify, name="verify_number"),
    path("register", views.register, name="register"),
    # Supervision in public: the random draws, the published inspection results (一公开)
    path("draws", supervision_public.draws_list, name="public_draws"),
    path("draws/<int:pk>", supervision_public.draw_detail, name="public_draw"),
    path("inspection-results", supervision_public.inspection_results, name="inspection_results"),
]
