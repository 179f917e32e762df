from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Helpers that every app may use and that use no app of Confer's."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import integers  # noqa: PLC0415 - psycopg is loaded only where it is installed

        integers.guard_integer_parameters()
