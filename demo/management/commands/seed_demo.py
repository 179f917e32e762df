import time

from django.core.management.base import BaseCommand

from demo.seed import seed_bulk, seed_demo
from meetings.models import Meeting


class Command(BaseCommand):
    help = "Load synthetic demo data: staff of every role, families, meetings in every state."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when meetings already exist.")
        parser.add_argument(
            "--meetings", type=int, default=0, help="Also add this many meetings in bulk, for benchmarks."
        )

    def handle(self, *args, if_empty: bool, meetings: int, **options):
        if if_empty and Meeting.objects.exists():
            self.stdout.write("Demo data is already loaded.")
            return
        started = time.monotonic()
        if not Meeting.objects.exists():
            seed_demo()
        if meetings:
            seed_bulk(meetings)
        self.stdout.write(
            self.style.SUCCESS(
                f"{Meeting.objects.count()} meetings in the database ({time.monotonic() - started:.1f}s)."
            )
        )
