from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import limits
from minutes.deadlines import deadlines_sweep


class Command(BaseCommand):
    help = "Send the reminders and escalations that are due (safe to run as often as you like)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Sweep as if it were this moment (ISO 8601), for testing.")

    def handle(self, *args, now: str | None = None, **options):
        moment = None
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError(f"--now takes an ISO 8601 date and time, not {now!r}.") from exc
            if not limits.EARLIEST <= moment.date() <= limits.LATEST:
                raise CommandError(f"--now must be between {limits.EARLIEST} and {limits.LATEST}, not {now!r}.")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        result = deadlines_sweep(now=moment)
        self.stdout.write(f"{result.reminders} reminders, {result.overdue} overdue, {result.emails} emails.")
