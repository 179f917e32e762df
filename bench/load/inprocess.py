"""Inside one process on the benchmark's database: each page's time without the network or
gunicorn (median of many requests, signed in as the person who sees it), the same with
what the page keeps rendered (``config.fragments``) made stale before each request, so
it is rendered afresh (the first view after a change), and EXPLAIN
ANALYZE for every query of each list page that reads a table that grows (meetings,
invitations, minutes, notices), so a plan that scans instead of using an index shows.

Run by run.py with the same environment as the server; prints one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import django

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from config import fragments  # noqa: E402

GROWING = ("meetings_meeting", "meetings_invitation", "minutes_minutes", "minutes_deadlinenotice", "participants_")


def main() -> None:
    pages = json.loads(sys.argv[1])  # [[name, email, path], ...]
    users = get_user_model().objects
    result = {}
    for name, email, path in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        user = users.get(email=email)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session  # as a real sign-in records it (password, and MFA for staff)
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [{"method": "password", "at": time.time()}] + (
            [{"method": "mfa", "type": "totp", "at": time.time()}] if user.groups.exists() else []
        )
        session.save()
        for _ in range(5):
            assert client.get(path).status_code == 200, (name, path)
        times = []
        for _ in range(40):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        afresh = []
        for _ in range(15):
            fragments.moved_on(*fragments.TOPICS)  # as after a change to everything it shows
            started = time.perf_counter()
            client.get(path)
            afresh.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        plans = []
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or not any(t in sql for t in GROWING):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
            plans.append({"sql": sql[:160], "ms": round(plan["Execution Time"], 2), "nodes": _nodes(plan["Plan"])})
        result[name] = {
            "median_ms": round(statistics.median(times), 2),
            "afresh_ms": round(statistics.median(afresh), 2),
            "queries": len(queries),
            "plans": plans,
        }
    print(json.dumps(result))


def _nodes(node: dict) -> list[str]:
    """The plan's scans, e.g. 'Index Scan meetings_meeting (meetings_me_open_idx) rows=20'."""
    found = []
    if "Relation Name" in node or "Index Name" in node:
        label = f"{node['Node Type']} {node.get('Relation Name', '')}"
        if node.get("Index Name"):
            label += f" ({node['Index Name']})"
        found.append(f"{label} rows={node.get('Actual Rows')}")
    for child in node.get("Plans", []):
        found += _nodes(child)
    return found


if __name__ == "__main__":
    main()
