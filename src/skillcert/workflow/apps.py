from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "skillcert.workflow"
    label = "workflow"
    verbose_name = "办理流程"
    default_auto_field = "django.db.models.BigAutoField"
