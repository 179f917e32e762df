from django.core.management.base import BaseCommand

from notifications.services import outbox_retry


class Command(BaseCommand):
    help = "Queue failed (and long-pending) outbox emails for sending again. Safe to run repeatedly."

    def handle(self, *args, **options):
        count = outbox_retry()
        self.stdout.write(f"Queued {count} message(s) for another attempt.")
