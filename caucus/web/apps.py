from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "caucus.web"
    label = "web"
