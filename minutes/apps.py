from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MinutesConfig(AppConfig):
    """Minutes of meetings: sections, redaction, comments, answers, approved versions."""

    name = "minutes"

    def ready(self) -> None:
        # Models can be imported only once the registry is ready, that is here.
        from minutes import dashboard  # noqa: PLC0415

        # The dashboard keeps its counts until one of these changes.
        for model in ("meetings.Meeting", "minutes.Minutes", "minutes.DecisionLetter"):
            for signal in (post_save, post_delete):
                signal.connect(dashboard.figures_changed, sender=model, dispatch_uid=f"timeliness-{model}")
