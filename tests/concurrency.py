"""Two callers at once, on two real PostgreSQL connections, the second provably waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction


def race(call: Callable[[], object], refusal: type[Exception]) -> tuple[object, object]:
    """Run ``call`` twice: the first keeps its transaction (and row lock) open until the
    second is seen waiting on a lock in pg_stat_activity. Returns (first, second) results,
    each a return value or the ``refusal`` raised."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are a PostgreSQL matter; SQLite serialises all writers anyway.")
    first_holds_lock, release_first = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def run(name: str, keep_open: bool) -> None:
        try:
            with transaction.atomic():
                results[name] = call()
                if keep_open:
                    first_holds_lock.set()
                    release_first.wait(10)
        except refusal as exc:
            results[name] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=("first", True))
    first.start()
    assert first_holds_lock.wait(10)
    second = threading.Thread(target=run, args=("second", False))
    second.start()
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)
        else:
            release_first.set()
            pytest.fail("The second call never waited for the first one's row lock.")
    release_first.set()
    first.join(10)
    second.join(10)
    return results["first"], results["second"]
