from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "caucus.kernel"
    label = "kernel"
