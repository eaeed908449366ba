from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caucus.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from caucus.accounts.live import close_session_connections

        user_logged_out.connect(close_session_connections, dispatch_uid="caucus.live.logout")
