from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caucus.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from caucus.accounts import sessions
        from caucus.accounts.live import close_session_connections

        user_logged_out.connect(close_session_connections, dispatch_uid="caucus.live.logout")
        user_logged_in.connect(sessions.on_login, dispatch_uid="caucus.sessions.login")
        user_logged_out.connect(sessions.on_logout, dispatch_uid="caucus.sessions.logout")
