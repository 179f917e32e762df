"""The demo data a newcomer sees, and the scaled-up data for benchmarks."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AuditEvent
from demo.seed import DEMO_DOMAIN
from meetings.enums import MeetingStatus
from meetings.models import Invitation, Meeting
from meetings.timescales import is_working_day
from minutes.enums import MinutesStatus
from minutes.models import Minutes
from participants.models import Child

pytestmark = pytest.mark.django_db


def test_seed_demo_reaches_its_states_through_the_services_with_an_audit_trail(capsys):
    call_command("seed_demo")
    # Every state a service can produce today (a meeting is minuted by distributing its
    # minutes, which the demo does not do yet), and every minuted meeting has minutes.
    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert statuses == {MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.CANCELLED}
    assert set(Minutes.objects.values_list("status", flat=True)) == {MinutesStatus.SHARED, MinutesStatus.APPROVED}
    assert not Meeting.objects.filter(status=MeetingStatus.MINUTED, minutes__isnull=True).exists()
    assert AuditEvent.objects.filter(code="meeting.scheduled").count() == Meeting.objects.count()
    assert AuditEvent.objects.filter(code="minutes.approved").count() == 1
    assert Meeting.objects.filter(late_reason__gt="").exists()
    assert "meetings in the database" in capsys.readouterr().out
    shared = Minutes.objects.get(status="shared_for_comment")
    assert shared.sections.filter(third_party_source__consent="refused").count() == 1


def test_seed_demo_if_empty_runs_once(capsys):
    call_command("seed_demo", "--if-empty")
    count = Meeting.objects.count()
    call_command("seed_demo", "--if-empty")
    assert Meeting.objects.count() == count
    assert "already loaded" in capsys.readouterr().out


def test_seed_demo_scales_up_in_bulk():
    call_command("seed_demo", "--meetings", "40")
    bulk = Meeting.objects.filter(venue="Demo venue")
    assert bulk.count() == 40
    assert Invitation.objects.filter(meeting__in=bulk).count() == 120
    assert all(m.children.count() == 1 for m in bulk[:5])
    references = list(Meeting.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))


def test_demo_logins_prints_every_role(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    call_command("demo_logins")
    out = capsys.readouterr().out
    for name in ("admin", "chair", "iro", "manager", "parent", "police"):
        assert f"{name}@{DEMO_DOMAIN}" in out


def test_demo_children_names_never_appear_in_the_audit_log():
    call_command("seed_demo")
    names = list(Child.objects.values_list("person__full_name", flat=True))
    logged = " ".join(f"{e.object_repr} {e.detail}" for e in AuditEvent.objects.all())
    assert names
    assert not [n for n in names if n in logged]


def test_demo_staff_sign_in_with_the_printed_authenticator_code(client, capsys):

    call_command("seed_demo")
    capsys.readouterr()
    email = f"chair@{DEMO_DOMAIN}"
    response = client.post(reverse("account_login"), {"login": email, "password": "confer-demo-password"})
    assert response["Location"] == reverse("mfa_authenticate")
    call_command("demo_code", email)
    code = capsys.readouterr().out.strip()
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_demo_code_refuses_real_accounts():

    with pytest.raises(CommandError, match="Only demo accounts"):
        call_command("demo_code", "someone@example.org")


def test_demo_meetings_fall_on_working_days():

    call_command("seed_demo")
    days = [m.local_date for m in Meeting.objects.all()]
    assert [d for d in days if not is_working_day(d)] == []
