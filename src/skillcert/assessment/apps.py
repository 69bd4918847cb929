from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "skillcert.assessment"
    label = "assessment"
    verbose_name = "认定批次"
