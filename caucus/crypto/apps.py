from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "caucus.crypto"
    label = "crypto"
