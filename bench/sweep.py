"""How long the deadline sweep takes over N held meetings with nothing done (default
100,000; half are conferences, so there are 1.5 N open deadlines with the decision letters:
N = 66,667 gives 100,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/confer_bench .venv/bin/python bench/sweep.py [N]
    .venv/bin/python bench/sweep.py [N]          # SQLite in a temporary folder

Target: under 2 s on PostgreSQL for 100,000 open deadlines. The first run finds every item overdue
(it writes a notice for each and one email per person); the second finds nothing new.
"""

import contextlib
import io
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="confer-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - after the settings are chosen

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.seed import seed_demo  # noqa: E402
from meetings import timescales  # noqa: E402
from meetings.enums import MeetingKind, MeetingStatus  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from minutes.deadlines import deadlines_sweep  # noqa: E402


def main(items: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):
        seed_demo()
    template = Meeting.objects.filter(status=MeetingStatus.HELD).select_related("chair", "family").first()
    start = timezone.now() - timedelta(days=60)
    due = timescales.due_after(Meeting(kind=MeetingKind.ICPC, starts_at=start))
    created = time.perf_counter()
    Meeting.objects.bulk_create(
        [
            Meeting(
                kind=list(MeetingKind)[i % 4],
                reference=f"BENCH-{i:07d}",
                family=template.family,
                chair=template.chair,
                starts_at=start - timedelta(minutes=i),
                ends_at=start - timedelta(minutes=i) + timedelta(hours=1),
                status=MeetingStatus.HELD,
                held_at=start,
                # What holding it through the service would have stored.
                letter_due_on=due[0] if list(MeetingKind)[i % 4].is_conference else None,
                draft_due_on=due[1],
                distribution_due_on=due[2],
            )
            for i in range(items)
        ],
        batch_size=5000,
    )
    print(f"{items:,} held meetings with no minutes: {time.perf_counter() - created:.1f} s to create")
    for label in ("first sweep (every item overdue)", "second sweep (nothing new)"):
        if connection.vendor == "postgresql":
            # Planner statistics, as autovacuum refreshes them after a bulk insert: without
            # them PostgreSQL takes the new notices for an empty table and scans it per row.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        with CaptureQueriesContext(connection) as queries, contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            result = deadlines_sweep()
            elapsed = time.perf_counter() - started
        print(
            f"{label}: {elapsed:.2f} s, {len(queries)} queries, "
            f"{result.overdue:,} overdue, {result.reminders:,} reminders, {result.emails} emails"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
