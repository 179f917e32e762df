from django.apps import AppConfig


class MinutesConfig(AppConfig):
    """Minutes of meetings: sections, comments, versions, distribution (issue 5 onwards)."""

    name = "minutes"
