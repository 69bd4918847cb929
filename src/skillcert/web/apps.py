from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "skillcert.web"
    label = "web"
    verbose_name = "网页"
