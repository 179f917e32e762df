"""Synthetic demo data. Every name comes from Faker with a fixed seed; none is a real person.

The small demo goes through the services, so it has the audit trail a real site would.
The scaled-up version (``--meetings N``) writes rows in bulk for benchmarks: it bypasses the
services on purpose, because going through them for 50,000 meetings would take too long.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker

from meetings import invites, services
from meetings.enums import (
    Attendance,
    Category,
    InvitationRole,
    MeetingKind,
    MeetingStatus,
)
from meetings.models import Invitation, Meeting, ReferenceCounter
from meetings.timescales import is_working_day
from minutes import services as minutes_services
from participants.enums import AgencyKind, Consent, Relationship, StaffRole
from participants.mfa import activate_totp
from participants.models import (
    Agency,
    Child,
    Family,
    FamilyMember,
    Person,
    ThirdPartySource,
)

DEMO_DOMAIN = "demo.confer.test"
DEMO_PASSWORD = "confer-demo-password"  # noqa: S105 - synthetic demo accounts only

User = get_user_model()


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    description: str


DEMO_STAFF = [
    DemoLogin(f"superuser@{DEMO_DOMAIN}", "superuser", "Django admin superuser"),
    DemoLogin(
        f"admin@{DEMO_DOMAIN}",
        StaffRole.ADMINISTRATOR,
        "Business support administrator",
    ),
    DemoLogin(f"chair@{DEMO_DOMAIN}", StaffRole.CHAIR, "Child protection chair"),
    DemoLogin(f"iro@{DEMO_DOMAIN}", StaffRole.CHAIR, "Independent reviewing officer"),
    DemoLogin(f"manager@{DEMO_DOMAIN}", StaffRole.MANAGER, "Service manager"),
]

AGENCIES = [
    ("States of Jersey Police", AgencyKind.POLICE),
    ("Family Nursing and Home Care", AgencyKind.HEALTH),
    ("Les Quennevais School", AgencyKind.EDUCATION),
    ("Children's Social Care", AgencyKind.SOCIAL_CARE),
    ("Probation and After Care", AgencyKind.PROBATION),
    ("Andium Homes", AgencyKind.HOUSING),
    ("Jersey Women's Refuge", AgencyKind.VOLUNTARY),
]


def demo_secret(email: str) -> str:
    """A stable TOTP secret for a synthetic demo account (never for real accounts), so
    `manage.py demo_code` can print the current code."""
    return base64.b32encode(hashlib.sha256(f"confer-demo:{email}".encode()).digest()[:20]).decode()


def ensure_groups() -> dict[str, Group]:
    return {role: Group.objects.get_or_create(name=role)[0] for role in StaffRole.values}


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    # Hashing is deliberately slow; every demo user shares the one password, so hash once.
    return make_password(DEMO_PASSWORD)


def _user(email: str, name: str, *, superuser: bool = False) -> User:
    first, _, last = name.partition(" ")
    return User.objects.create(
        username=email,
        email=email,
        password=_demo_password_hash(),
        first_name=first,
        last_name=last,
        is_staff=superuser,
        is_superuser=superuser,
    )


class Seeder:
    def __init__(self, seed: int = 2026) -> None:
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.random = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets

    # --- people --------------------------------------------------------------------

    def staff(self) -> dict[str, Person]:
        groups = ensure_groups()
        people = {}
        for login in DEMO_STAFF:
            name = self.fake.name()
            user = _user(login.email, name, superuser=login.role == "superuser")
            if login.role in groups:
                user.groups.add(groups[login.role])
            # Staff must use an authenticator app; the demo's secrets are fixed and
            # `manage.py demo_code EMAIL` prints the current code.
            activate_totp(user, demo_secret(login.email))
            people[login.email.split("@")[0]] = Person.objects.create(
                full_name=name,
                email=login.email,
                user=user,
                job_title=login.description,
            )
        return people

    def agencies(self) -> list[Agency]:
        return [Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0] for name, kind in AGENCIES]

    def professional(self, agency: Agency, login_email: str) -> Person:
        """A professional who can log in with ``login_email``."""
        name = self.fake.name()
        email, user = login_email, _user(login_email, name)
        return Person.objects.create(
            full_name=name,
            email=email,
            user=user,
            agency=agency,
            job_title=f"{agency.get_kind_display()} practitioner",
        )

    def family(self, number: int, *, login_email: str | None = None, looked_after: bool = False) -> Family:
        family = Family.objects.create(reference=f"FAM-{number:05d}")
        surname = self.fake.last_name()
        parent_name = f"{self.fake.first_name()} {surname}"
        parent = Person.objects.create(
            full_name=parent_name,
            email=login_email or f"parent{number}@{DEMO_DOMAIN}",
            user=_user(login_email, parent_name) if login_email else None,
            phone=self.fake.phone_number(),
            preferred_language=self.random.choice(["English", "English", "English", "Portuguese", "Polish"]),
        )
        FamilyMember.objects.create(
            family=family,
            person=parent,
            relationship=Relationship.PARENT,
            has_parental_responsibility=True,
        )
        carer = Person.objects.create(full_name=f"{self.fake.first_name()} {self.fake.last_name()}")
        FamilyMember.objects.create(family=family, person=carer, relationship=Relationship.CARER)
        for i in range(self.random.randint(1, 3)):
            child_person = Person.objects.create(full_name=f"{self.fake.first_name()} {surname}")
            Child.objects.create(
                person=child_person,
                family=family,
                date_of_birth=self.fake.date_of_birth(minimum_age=1, maximum_age=16),
                identifier=f"C{number:05d}{i}",
                looked_after_since=date.today() - timedelta(days=40) if looked_after else None,
            )
        ThirdPartySource.objects.create(family=family, name="A neighbour", consent=Consent.REFUSED)
        return family


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _working_day(day: date) -> date:
    """Meetings are held on working days: move a weekend or holiday to the next one
    (the previous one for a meeting that has already happened)."""
    step = timedelta(days=1 if day >= timezone.localdate() else -1)
    while not is_working_day(day):
        day += step
    return day


@transaction.atomic
def seed_demo() -> None:
    """A small, believable set: a few families with meetings in every state."""
    s = Seeder()
    staff = s.staff()
    admin_user, chair, iro = staff["admin"].user, staff["chair"], staff["iro"]
    agencies = s.agencies()
    police = s.professional(agencies[0], f"police@{DEMO_DOMAIN}")
    health = s.professional(agencies[1], f"health@{DEMO_DOMAIN}")
    school = s.professional(agencies[2], f"school@{DEMO_DOMAIN}")

    today = timezone.localdate()
    families = [
        s.family(1, login_email=f"parent@{DEMO_DOMAIN}"),
        s.family(2, login_email=f"parent2@{DEMO_DOMAIN}"),
        s.family(3, looked_after=True),
        s.family(4),
        s.family(5),
    ]

    def schedule(family, kind, chair_person, start_day, *, invited=(), **extra) -> Meeting:
        starts = _at(_working_day(start_day), 10)
        meeting = services.meeting_schedule(
            actor=admin_user,
            kind=kind,
            family=family,
            children=list(family.children.all()),
            chair=chair_person,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            venue="Cyril Le Marquand House, St Helier",
            now=starts - timedelta(days=10),
            **extra,
        )
        for member in family.memberships.filter(relationship=Relationship.PARENT):
            invites.invitation_add(
                meeting=meeting,
                actor=admin_user,
                person=member.person,
                role=InvitationRole.PARENT_CARER,
                now=starts - timedelta(days=10),
            )
        for person in invited:
            invites.invitation_add(
                meeting=meeting,
                actor=admin_user,
                person=person,
                role=InvitationRole.PROFESSIONAL,
                now=starts - timedelta(days=10),
            )
        return meeting

    def hold(meeting, outcome) -> Meeting:
        records = {inv.pk: services.AttendanceRecord(Attendance.ATTENDED) for inv in meeting.invitations.all()}
        outcomes = {c.pk: outcome for c in meeting.children.all()}
        return services.meeting_hold(
            meeting=meeting,
            actor=meeting.chair.user,
            attendance=records,
            outcomes=outcomes,
            now=meeting.ends_at,
        )

    plan = services.OutcomeRecord(plan_needed=True, category=Category.NEGLECT)

    # Family 1 (demo parent): an initial conference held, its minutes approved (the parent
    # said they had no comments), its review upcoming.
    icpc = schedule(
        families[0],
        MeetingKind.ICPC,
        chair,
        today - timedelta(days=60),
        invited=[police, health],
        strategy_discussion_on=today - timedelta(days=75),
    )
    hold(icpc, plan)
    _approved_minutes(icpc)
    schedule(
        families[0],
        MeetingKind.RCPC,
        chair,
        today + timedelta(days=21),
        invited=[police, health, school],
    )

    # Family 2 (second demo parent): an initial conference held yesterday, not yet minuted.
    icpc2 = schedule(
        families[1],
        MeetingKind.ICPC,
        chair,
        today - timedelta(days=1),
        invited=[police, school],
        strategy_discussion_on=today - timedelta(days=15),
    )
    hold(icpc2, services.OutcomeRecord(plan_needed=True, category=Category.EMOTIONAL))
    _demo_minutes(icpc2, families[1])

    # Family 3: a looked-after child's first review, scheduled late with a reason.
    schedule(
        families[2],
        MeetingKind.CLA,
        iro,
        today + timedelta(days=30),
        invited=[health],
        late_reason="The foster carer is in hospital until next month.",
    )

    # Family 4: a Child in Need meeting cancelled, and a new one scheduled.
    cin = schedule(families[3], MeetingKind.CIN, iro, today + timedelta(days=3), invited=[school])
    services.meeting_cancel(
        meeting=cin,
        actor=admin_user,
        reason="Rearranged at the family's request.",
        now=cin.starts_at - timedelta(days=5),
    )
    schedule(families[3], MeetingKind.CIN, iro, today + timedelta(days=10), invited=[school])

    # Family 5: an initial conference today.
    schedule(
        families[4],
        MeetingKind.ICPC,
        chair,
        today + timedelta(days=1),
        invited=[police, health, school],
        strategy_discussion_on=today - timedelta(days=12),
    )


@transaction.atomic
def seed_bulk(meetings: int, *, batch: int = 5000) -> None:
    """Scale up for benchmarks: ``meetings`` more meetings over fresh synthetic families."""
    s = Seeder(seed=meetings)
    groups = ensure_groups()
    chairs = list(Person.objects.filter(user__groups=groups[StaffRole.CHAIR]))
    if not chairs:
        chairs = [s.staff()["chair"]]
    agencies = s.agencies()
    professionals = [
        Person(
            full_name=s.fake.name(),
            email=f"pro{i}@{DEMO_DOMAIN}",
            agency=agencies[i % len(agencies)],
        )
        for i in range(200)
    ]
    Person.objects.bulk_create(professionals)

    start_number = (Family.objects.count() or 0) + 1000
    n_families = max(1, meetings // 5)
    families = Family.objects.bulk_create(
        [Family(reference=f"FAM-{start_number + i:05d}") for i in range(n_families)],
        batch_size=batch,
    )
    first_names = [s.fake.first_name() for _ in range(300)]
    surnames = [s.fake.last_name() for _ in range(300)]
    parents = Person.objects.bulk_create(
        [Person(full_name=f"{s.random.choice(first_names)} {s.random.choice(surnames)}") for _ in families],
        batch_size=batch,
    )
    FamilyMember.objects.bulk_create(
        [
            FamilyMember(
                family=f,
                person=p,
                relationship=Relationship.PARENT,
                has_parental_responsibility=True,
            )
            for f, p in zip(families, parents, strict=True)
        ],
        batch_size=batch,
    )
    child_people = Person.objects.bulk_create(
        [Person(full_name=f"{s.random.choice(first_names)} {s.random.choice(surnames)}") for _ in families],
        batch_size=batch,
    )
    children = Child.objects.bulk_create(
        [
            Child(
                person=p,
                family=f,
                identifier=f"B{start_number + i:07d}",
                date_of_birth=date(2012, 1, 1) + timedelta(days=s.random.randint(0, 4000)),
            )
            for i, (f, p) in enumerate(zip(families, child_people, strict=True))
        ],
        batch_size=batch,
    )

    today = timezone.localdate()
    kinds = list(MeetingKind)
    # No "minuted" rows: a meeting is minuted only by distributing its minutes, and these
    # rows have none.
    statuses = [MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.CANCELLED]
    year = today.year
    counters = {
        prefix: (ReferenceCounter.objects.filter(prefix=prefix, year=year).aggregate(m=Max("last"))["m"] or 0)
        for prefix in {k.reference_prefix for k in kinds}
    }
    rows, links = [], []
    for i in range(meetings):
        idx = i % len(families)
        kind = kinds[i % len(kinds)]
        status = statuses[(i // len(kinds)) % len(statuses)]
        offset = s.random.randint(1, 120) * (1 if status == MeetingStatus.SCHEDULED else -1)
        starts = _at(today + timedelta(days=offset), 9 + i % 7)
        counters[kind.reference_prefix] += 1
        rows.append(
            Meeting(
                kind=kind,
                reference=f"{kind.reference_prefix}-{year}-{counters[kind.reference_prefix]:04d}",
                family=families[idx],
                chair=chairs[i % len(chairs)],
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                venue="Demo venue",
                status=status,
                due_on=starts.date() + timedelta(days=s.random.randint(-5, 20)),
                held_at=starts if status == MeetingStatus.HELD else None,
            )
        )
    created = Meeting.objects.bulk_create(rows, batch_size=batch)
    for prefix, last in counters.items():
        ReferenceCounter.objects.update_or_create(prefix=prefix, year=year, defaults={"last": last})
    through = Meeting.children.through
    for i, meeting in enumerate(created):
        links.append(through(meeting_id=meeting.pk, child_id=children[i % len(children)].pk))
    through.objects.bulk_create(links, batch_size=batch)
    invitations = []
    for i, meeting in enumerate(created):
        invitations.append(Invitation(meeting=meeting, person_id=meeting.chair_id, role=InvitationRole.CHAIR))
        invitations.append(
            Invitation(
                meeting=meeting,
                person=parents[i % len(parents)],
                role=InvitationRole.PARENT_CARER,
            )
        )
        pro = professionals[i % len(professionals)]
        invitations.append(
            Invitation(
                meeting=meeting,
                person=pro,
                role=InvitationRole.PROFESSIONAL,
                agency_id=pro.agency_id,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=batch)


def demo_logins() -> list[DemoLogin]:
    logins = [login for login in DEMO_STAFF if User.objects.filter(email=login.email).exists()]
    extra = [
        DemoLogin(f"parent@{DEMO_DOMAIN}", "parent", "Parent in family FAM-00001"),
        DemoLogin(f"parent2@{DEMO_DOMAIN}", "parent", "Parent in family FAM-00002"),
        DemoLogin(f"police@{DEMO_DOMAIN}", "professional", "Police officer"),
        DemoLogin(f"health@{DEMO_DOMAIN}", "professional", "Health visitor"),
        DemoLogin(f"school@{DEMO_DOMAIN}", "professional", "Designated safeguarding lead"),
    ]
    return logins + [login for login in extra if User.objects.filter(email=login.email).exists()]


DEMO_MINUTES = {
    "purpose": "To share information about the children's safety and decide whether they need a child protection plan.",
    "worries": "School reported the children arriving hungry on several mornings this term.",
    "working_well": "The children are attached to their mother and attend school every day.",
    "plan": "Lead social worker to visit weekly. Health visitor to review the youngest child's weight by "
    "the end of the month.",
}


def _approved_minutes(meeting: Meeting) -> None:
    """Minutes written, shared, answered "no comments" by the family and approved, each
    step through the services at the time it would have happened."""
    chair = meeting.chair.user
    now = meeting.ends_at + timedelta(hours=2)
    minutes = minutes_services.minutes_start(meeting=meeting, actor=chair, now=now)
    for key, text in DEMO_MINUTES.items():
        section = minutes.sections.get(key=key)
        minutes_services.section_save(section=section, actor=chair, text=text, version=section.version, now=now)
    minutes_services.minutes_share(minutes=minutes, actor=chair, now=now + timedelta(days=2))
    for invitation in minutes_services.family_invitations(meeting):
        if invitation.person.user is not None:
            minutes_services.no_comments(minutes=minutes, actor=invitation.person.user, now=now + timedelta(days=3))
    minutes_services.minutes_approve(minutes=minutes, actor=chair, now=now + timedelta(days=12))


def _demo_minutes(meeting: Meeting, family: Family) -> None:
    """Draft minutes of a conference held yesterday, shared with the family for comment,
    with one section from a neighbour who refused consent (withheld from the parent)."""
    chair = meeting.chair.user
    now = meeting.ends_at + timedelta(hours=2)
    minutes = minutes_services.minutes_start(meeting=meeting, actor=chair, now=now)
    for key, text in DEMO_MINUTES.items():
        section = minutes.sections.get(key=key)
        minutes_services.section_save(section=section, actor=chair, text=text, version=section.version, now=now)
    worries = minutes.sections.get(key="worries")
    part = minutes_services.section_add_part(section=worries, actor=chair, now=now)
    minutes_services.section_save(
        section=part,
        actor=chair,
        now=now,
        version=part.version,
        text="A neighbour reported shouting late at night in early October.",
    )
    minutes_services.section_set_restrictions(
        section=part, actor=chair, third_party_source=family.third_party_sources.first(), restricted_from=[]
    )
    minutes_services.minutes_share(minutes=minutes, actor=chair, now=timezone.now())
