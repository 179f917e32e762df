"""Background tasks: they take ids (or nothing), fetch, and delegate; safe to run twice."""

from crontask import cron
from django.conf import settings
from django.tasks import task

from minutes.deadlines import deadlines_sweep


@cron(settings.CONFER_SWEEP_CRON)
@task
def sweep_deadlines() -> dict:
    """The daily deadline sweep (scheduled by ``manage.py crontask``; see docs/deploy.md)."""
    return deadlines_sweep().__dict__
