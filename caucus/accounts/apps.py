from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caucus.accounts"
    label = "accounts"
