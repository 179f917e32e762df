"""What monitoring may ask of Confer: is it up, and is work piling up. Numbers only, never
a name, a reference or an address.

* ``/healthz`` (no sign-in, for load balancers): the database answers, and background work
  is being picked up (the oldest waiting task is younger than ``CONFER_TASK_QUEUE_MAX_AGE``
  seconds, when tasks go through the database queue). 200 when healthy, 503 when not.
* ``/metrics`` (Prometheus text format): emails in the outbox by status, open overdue
  deadlines, and the age of the oldest waiting task. Only with
  ``Authorization: Bearer <CONFER_METRICS_TOKEN>``; without a token configured, or with a
  wrong one, it is a 404 like any page that does not exist.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from minutes.deadlines import open_overdue_count
from notifications.models import OutboundEmail


def _uses_task_database() -> bool:
    return settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def queue_age_seconds() -> float:
    """How long the oldest task waiting for a worker has waited (0 when none waits)."""
    if not _uses_task_database():
        return 0.0
    oldest = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at").values_list("enqueued_at", flat=True)
    first = oldest.first()
    return max(0.0, (timezone.now() - first).total_seconds()) if first else 0.0


@never_cache
def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "unavailable"
        return JsonResponse(checks, status=503)
    age = queue_age_seconds()
    checks["tasks"] = "late" if age > settings.CONFER_TASK_QUEUE_MAX_AGE else "ok"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


@never_cache
def metrics(request):
    token = settings.CONFER_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise Http404("No such page")
    by_status = dict(OutboundEmail.objects.values_list("status").annotate(n=Count("id")))
    lines = [
        "# HELP confer_outbox_messages Emails in the outbox, by status.",
        "# TYPE confer_outbox_messages gauge",
        *[f'confer_outbox_messages{{status="{s}"}} {by_status.get(s, 0)}' for s in OutboundEmail.Status.values],
        "# HELP confer_overdue_deadlines Deadlines the sweep found overdue that are still open.",
        "# TYPE confer_overdue_deadlines gauge",
        f"confer_overdue_deadlines {open_overdue_count()}",
        "# HELP confer_task_queue_age_seconds Age of the oldest task waiting for a worker.",
        "# TYPE confer_task_queue_age_seconds gauge",
        f"confer_task_queue_age_seconds {queue_age_seconds():.0f}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8")
