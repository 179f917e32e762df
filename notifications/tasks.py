"""Background tasks: they take ids, fetch, and delegate; safe to run twice."""

from django.tasks import task

from notifications.delivery import outbox_deliver


@task
def deliver_email(message_id: int) -> bool:
    return outbox_deliver(message_id)
