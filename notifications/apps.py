from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Email: the outbox of every message Confer sends, its delivery task and retry. It
    knows messages and recipients, not meetings or minutes."""

    name = "notifications"
    verbose_name = "Email outbox"
