from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "skillcert.supervision"
    label = "supervision"
    verbose_name = "监督检查"

    def ready(self) -> None:
        from skillcert.supervision import machines  # noqa: F401  (binds the supervision workflows)
