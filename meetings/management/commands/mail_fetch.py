from django.core.management.base import BaseCommand, CommandError

from meetings.replies import mail_fetch
from notifications import mailbox


class Command(BaseCommand):
    help = "Read calendar replies from the service mailbox (CONFER_MAILBOX) and apply them; safe to run again."

    def handle(self, *args, **options):
        if not mailbox.configured():
            raise CommandError("No mailbox is configured (CONFER_MAILBOX_HOST): there is nothing to read.")
        try:
            result = mail_fetch()
        except mailbox.MailboxError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.read} read, {result.applied} applied, {result.held} held for a person.")
