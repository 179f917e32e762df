"""Production's task path: the database queue and django-tasks-db's worker."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from meetings import invites
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local

# Transactional: the worker closes and reopens database connections, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_with_the_database_backend_emails_wait_for_the_worker_which_sends_each_once(
    settings, administrator, chair, family, parent
):

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.invite(meeting, administrator, parent)
    invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 20))
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.PENDING}
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 2

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([chair.email, parent.email])

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 2
