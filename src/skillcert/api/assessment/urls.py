"""The assessment part of the v1 contract's paths (names under the ``api`` namespace)."""

from skillcert.api.assessment import batches, segments, uploads
from skillcert.api.routing import route

urlpatterns = [
    # Batches
    route(r"api/v1/batches", batches.BatchListView.as_view(), "batches"),
    route(
        r"api/v1/batches/candidates-template\.xlsx",
        uploads.CandidatesTemplateView.as_view(),
        "candidates-template",
    ),
    route(r"api/v1/batches/(?P<pk>\d+)", batches.BatchDetailView.as_view(), "batch"),
    *[
        route(
            rf"api/v1/batches/(?P<pk>\d+)/{action}",
            batches.batch_action_view(action).as_view(),
            f"batch-{action}",
        )
        for action in batches.BATCH_ACTIONS
    ],
    route(
        r"api/v1/batches/(?P<pk>\d+)/inspections",
        batches.BatchInspectionsView.as_view(),
        "batch-inspections",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/objections",
        batches.BatchObjectionsView.as_view(),
        "batch-objections",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/candidates\.xlsx",
        uploads.CandidatesUploadView.as_view(),
        "batch-candidates-xlsx",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/candidates-report/(?P<token>[A-Za-z0-9_-]+)\.xlsx",
        uploads.CandidatesReportView.as_view(),
        "batch-candidates-report",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/results-report/(?P<token>[A-Za-z0-9_-]+)\.xlsx",
        uploads.CandidatesReportView.as_view(),
        "batch-results-report",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/results\.xlsx",
        uploads.ResultsUploadView.as_view(),
        "batch-results-xlsx",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/results-template\.xlsx",
        uploads.ResultsTemplateView.as_view(),
        "batch-results-template",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/annex4\.xlsx",
        uploads.AnnexView.as_view(annex=4),
        "batch-annex4",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/annex5\.xlsx",
        uploads.AnnexView.as_view(annex=5),
        "batch-annex5",
    ),
    route(r"api/v1/segments", segments.SegmentsView.as_view(), "segments"),
]
