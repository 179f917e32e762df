"""Background tasks: they take ids, fetch, and delegate; safe to run twice.

``notifications.services`` queues ``deliver_email`` and this module schedules the retry
through ``services``; each imports the other as a module and reaches into it only when a
task runs, so neither needs the other half-loaded.
"""

from crontask import cron
from django.conf import settings
from django.tasks import task

from notifications import services
from notifications.delivery import outbox_deliver


@task
def deliver_email(message_id: int) -> bool:
    return outbox_deliver(message_id)


@cron(settings.CONFER_OUTBOX_RETRY_CRON)
@task
def retry_outbox() -> int:
    """Queue again what failed or was never picked up (scheduled by ``manage.py crontask``)."""
    return services.outbox_retry()
