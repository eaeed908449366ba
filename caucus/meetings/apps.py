from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "caucus.meetings"
    label = "meetings"
