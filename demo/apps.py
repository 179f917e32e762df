from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo data and the commands around it. It may use every app; nothing
    imports it, so Confer runs the same without it."""

    name = "demo"
    verbose_name = "Demo data"
