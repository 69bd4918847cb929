from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "skillcert.inbox"
    label = "inbox"
    verbose_name = "消息"
    default_auto_field = "django.db.models.BigAutoField"
