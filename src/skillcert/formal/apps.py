from django.apps import AppConfig


class FormalConfig(AppConfig):
    name = "skillcert.formal"
    label = "formal"
    verbose_name = "文书"
    default_auto_field = "django.db.models.BigAutoField"
