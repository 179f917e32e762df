"""Background tasks: they take ids (or nothing), fetch, and delegate; safe to run twice."""

from django.tasks import task

from minutes.deadlines import deadlines_sweep


@task
def sweep_deadlines() -> dict:
    """The daily deadline sweep, for a scheduler to enqueue (see docs/domain.md)."""
    return deadlines_sweep().__dict__
