from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "caucus.retention"
    label = "retention"
