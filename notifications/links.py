"""Links that leave Confer in emails and calendars: always absolute, to where people reach it."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse``) on ``CONFER_BASE_URL``: emails are read outside any request."""
    return settings.CONFER_BASE_URL.rstrip("/") + path
