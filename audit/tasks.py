"""Background tasks: they take ids, fetch, and delegate to a service; safe to run twice."""

from django.tasks import task

from audit.outbox import outbox_deliver


@task
def deliver_email(message_id: int) -> bool:
    return outbox_deliver(message_id)
