from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "skillcert.supervision"
    label = "supervision"
    verbose_name = "监督检查"

    def ready(self) -> None:
        from skillcert.assessment.signals import plan_withdrawn
        from skillcert.certificates.signals import certificates_changed
        from skillcert.supervision import machines  # noqa: F401  (binds the supervision workflows)
        from skillcert.supervision.services.inspections import on_plan_withdrawn
        from skillcert.supervision.services.summaries import on_certificates_changed

        certificates_changed.connect(on_certificates_changed, dispatch_uid="statistics_summary")
        plan_withdrawn.connect(on_plan_withdrawn, dispatch_uid="inspections_of_withdrawn_plans")
