"""Test data. Names are chosen so that a leak is easy to spot in an assertion.

Meetings are made through ``meetings.services.meeting_schedule``, like real ones, so a
test never starts from a state the service could not have produced.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import factory
import pypdf
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from meetings import invites, services
from meetings.enums import Attendance, Category, InvitationRole, MeetingKind
from meetings.models import Meeting
from participants.enums import AgencyKind, Relationship, StaffRole
from participants.mfa import activate_totp
from participants.models import Agency, Child, Family, FamilyMember, Person

JERSEY = ZoneInfo("Europe/Jersey")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.test")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("a-test-password-123")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.POLICE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Person Number{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.test")


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    reference = factory.Sequence(lambda n: f"FAM-{n:05d}")


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    person = factory.SubFactory(PersonFactory, full_name=factory.Sequence(lambda n: f"Zebedee Leakname{n}"))
    family = factory.SubFactory(FamilyFactory)
    date_of_birth = date(2015, 6, 1)
    identifier = factory.Sequence(lambda n: f"CH{n:06d}")


def staff(role: StaffRole | str, *, mfa: bool = True, **user_kwargs) -> Person:
    """A staff member in a role, with a login, a Person record and (unless ``mfa=False``)
    a TOTP authenticator whose secret is ``person.totp_secret``."""
    user = UserFactory(**user_kwargs)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    person = PersonFactory(user=user, full_name=f"{role.title()} {user.pk}", email=user.email)
    person.totp_secret = with_totp(user) if mfa else None
    return person


def with_totp(user) -> str:
    secret = generate_totp_secret()
    activate_totp(user, secret)
    return secret


def family_with_parent(*, children: int = 1, surname: str = "Leakname") -> tuple[Family, Person]:
    family = FamilyFactory()
    parent = PersonFactory(user=UserFactory(), full_name=f"Mabel {surname}")
    FamilyMember.objects.create(
        family=family, person=parent, relationship=Relationship.PARENT, has_parental_responsibility=True
    )
    for _ in range(children):
        ChildFactory(family=family)
    return family, parent


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=JERSEY)


def schedule(
    *,
    administrator: Person,
    chair: Person,
    family: Family,
    kind: MeetingKind = MeetingKind.ICPC,
    starts_at: datetime | None = None,
    now: datetime | None = None,
    **kwargs,
) -> Meeting:
    starts_at = starts_at or local(2027, 1, 6)
    if kind == MeetingKind.ICPC:
        kwargs.setdefault("strategy_discussion_on", starts_at.date() - timedelta(days=7))
    return services.meeting_schedule(
        actor=administrator.user,
        kind=kind,
        family=family,
        children=list(family.children.all()),
        chair=chair,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        venue="Room 1, Cyril Le Marquand House",
        now=now or starts_at - timedelta(days=14),
        **kwargs,
    )


def invite(meeting: Meeting, administrator: Person, person: Person, role=InvitationRole.PARENT_CARER, **kw):
    kw.setdefault("now", meeting.starts_at - timedelta(days=7))
    return invites.invitation_add(meeting=meeting, actor=administrator.user, person=person, role=role, **kw)


def everyone_attended(meeting: Meeting) -> dict:
    return {inv.pk: services.AttendanceRecord(Attendance.ATTENDED) for inv in meeting.invitations.all()}


def plan_for_all(meeting: Meeting, category: Category = Category.NEGLECT) -> dict:
    return {c.pk: services.OutcomeRecord(plan_needed=True, category=category) for c in meeting.children.all()}


def hold(meeting: Meeting, chair: Person, **kwargs) -> Meeting:
    """Record a meeting as held by its chair, through the service: by default everyone
    attended, every child needs a plan (neglect), at the meeting's end."""
    kwargs.setdefault("attendance", everyone_attended(meeting))
    kwargs.setdefault("outcomes", plan_for_all(meeting))
    kwargs.setdefault("now", meeting.ends_at)
    return services.meeting_hold(meeting=meeting, actor=chair.user, **kwargs)


def pdf_bytes(pages: int = 1) -> bytes:
    """A real, minimal PDF made with pypdf."""

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
