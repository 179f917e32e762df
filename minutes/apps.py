from django.apps import AppConfig


class MinutesConfig(AppConfig):
    """Minutes of meetings: sections, redaction, comments, answers, approved versions."""

    name = "minutes"
