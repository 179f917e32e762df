"""Background tasks: safe to run twice."""

from crontask import cron
from django.conf import settings
from django.tasks import task

from meetings.replies import mail_fetch as read_replies
from notifications import mailbox


@cron(settings.CONFER_MAIL_FETCH_CRON)
@task
def mail_fetch() -> dict:
    """Read calendar replies from the service mailbox, when one is configured (scheduled by
    ``manage.py crontask``); without one there is nothing to do."""
    if not mailbox.configured():
        return {"read": 0, "applied": 0, "held": 0}
    return read_replies().__dict__
