from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "skillcert.assessment"
    label = "assessment"
    verbose_name = "认定批次"

    def ready(self) -> None:
        from skillcert.assessment import machines  # noqa: F401  (binds the batch workflow)
