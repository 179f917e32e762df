from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save


class MinutesConfig(AppConfig):
    """Minutes of meetings: sections, redaction, comments, answers, approved versions."""

    name = "minutes"

    def ready(self) -> None:
        # Models can be imported only once the registry is ready, that is here.
        from minutes import dashboard  # noqa: PLC0415

        # The dashboard keeps its counts and its rendered figures until one of these
        # changes: what it counts, what its rows, overdue list, feedback and quality figures
        # show, and the chairs its form offers.
        shown = (
            "meetings.Meeting",
            "minutes.Minutes",
            "minutes.DecisionLetter",
            "minutes.DeadlineNotice",
            "minutes.Comment",
            "minutes.Response",
            "minutes.Feedback",
            "minutes.QualityAudit",
            "participants.Person",
            "participants.Child",
        )
        for model in shown:
            for signal in (post_save, post_delete):
                signal.connect(dashboard.figures_changed, sender=model, dispatch_uid=f"timeliness-{model}")
        for through in (apps.get_model("meetings.Meeting").children.through, get_user_model().groups.through):
            m2m_changed.connect(dashboard.figures_changed, sender=through, dispatch_uid=f"timeliness-{through}")
