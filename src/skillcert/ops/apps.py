from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the platform: setup, demo data, serving. Sits on top of every other app."""

    name = "skillcert.ops"
    label = "ops"
    verbose_name = "运维"
