"""Every URL pattern of the project, and the people the access matrix tries each one as."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from meetings.enums import InvitationRole
from meetings.reports import report_submit
from minutes import services as minutes_services
from minutes.feedback import feedback_send
from participants.enums import Relationship, StaffRole
from participants.models import FamilyMember
from tests import factories


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the route when the pattern has no name
    name: str | None
    route: str
    kwargs: tuple[str, ...]
    positional: int = 0  # unnamed regex groups


def all_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def groups_of(pattern) -> tuple[str, ...]:
        return tuple(getattr(pattern, "converters", {}) or pattern.regex.groupindex)

    def walk(patterns, prefix: str, namespace: str, inherited: tuple[str, ...]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns, inherited + groups_of(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = f"{namespace}{p.name}" if p.name else None
                groups = inherited + groups_of(p.pattern)
                positional = p.pattern.regex.groups - len(p.pattern.regex.groupindex)
                found.append(Pattern(name or route, name, route, groups, positional))

    walk(get_resolver().url_patterns, "", "", ())
    return found


# Values for URL arguments that no object supplies. The admin's app list only accepts
# real app labels; every other argument of a third-party URL takes a placeholder.
PLACEHOLDERS = {"app_label": "meetings", "url": "no-such-page/"}


def url_for(pattern: Pattern, objects: dict[str, object]) -> str:
    kwargs = {}
    namespace = pattern.key.split(":")[0] if ":" in pattern.key else ""
    for arg in pattern.kwargs:
        # "minutes:pk" beats "pk": the minutes pages are about the meeting that has minutes.
        kwargs[arg] = objects.get(f"{namespace}:{arg}", objects.get(arg, PLACEHOLDERS.get(arg, "1")))
    if pattern.name and pattern.positional and not kwargs:
        return reverse(pattern.name, args=["1"] * pattern.positional)
    if pattern.name:
        return reverse(pattern.name, kwargs=kwargs)
    # Unnamed third-party routes: fill the regex groups by hand.
    route = pattern.route.lstrip("^").rstrip("$")
    for arg, value in kwargs.items():
        route = re.sub(rf"\(\?P<{arg}>[^)]*\)|<(?:\w+:)?{arg}>", str(value), route)
    return "/" + route.replace("\\", "")


ACTORS = [
    "anonymous",
    "administrator",
    "chair_of_meeting",
    "other_chair",
    "manager",
    "invited_professional",
    "uninvited_professional",
    "parent_of_family",
    "parent_of_other_family",
    "young_person_of_meeting",
    "young_person_of_other_meeting",
]
STAFF = {"administrator", "chair_of_meeting", "other_chair", "manager"}


def build_world() -> dict[str, object]:
    """Two families, each with a meeting; one professional invited, one not."""
    administrator = factories.staff(StaffRole.ADMINISTRATOR)
    chair = factories.staff(StaffRole.CHAIR)
    other_chair = factories.staff(StaffRole.CHAIR)
    manager = factories.staff(StaffRole.MANAGER)
    family, parent = factories.family_with_parent(surname="Leakname")
    other_family, other_parent = factories.family_with_parent(surname="Otherfamily")
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    other_meeting = factories.schedule(administrator=administrator, chair=other_chair, family=other_family)

    def young_person(fam):
        child = fam.children.first()
        child.person.user = factories.UserFactory()
        child.person.save()
        return child.person

    young, other_young = young_person(family), young_person(other_family)
    invited_pro = factories.PersonFactory(user=factories.UserFactory(), agency=factories.AgencyFactory(name="Police"))
    uninvited_pro = factories.PersonFactory(user=factories.UserFactory(), agency=factories.AgencyFactory(name="Health"))
    factories.invite(meeting, administrator, parent)
    factories.invite(meeting, administrator, young, InvitationRole.YOUNG_PERSON)
    factories.invite(meeting, administrator, invited_pro, InvitationRole.PROFESSIONAL)
    factories.invite(other_meeting, administrator, other_parent)
    factories.invite(other_meeting, administrator, other_young, InvitationRole.YOUNG_PERSON)
    assert FamilyMember.objects.filter(person=parent, relationship=Relationship.PARENT).exists()

    # A report the family may not read: its file is a 404 for them, like any hidden thing.
    report = report_submit(
        meeting=meeting,
        actor=invited_pro.user,
        text="Police check",
        share_with_family=False,
        file=SimpleUploadedFile("x.pdf", factories.pdf_bytes(), content_type="application/pdf"),
    )
    people = {
        "administrator": administrator,
        "chair_of_meeting": chair,
        "other_chair": other_chair,
        "manager": manager,
        "invited_professional": invited_pro,
        "uninvited_professional": uninvited_pro,
        "parent_of_family": parent,
        "parent_of_other_family": other_parent,
        "young_person_of_meeting": young,
        "young_person_of_other_meeting": other_young,
    }
    minuted = _meeting_with_shared_minutes(administrator, chair, family, parent, young, invited_pro)
    return {
        **minuted,
        "people": people,
        "meeting": meeting,
        "other_meeting": other_meeting,
        "pk": meeting.pk,
        "invitation_pk": meeting.invitations.get(person=parent).pk,
        "family_pk": family.pk,
        "child_pk": family.children.first().pk,
        "report_pk": report.pk,
    }


def _meeting_with_shared_minutes(administrator, chair, family, parent, young, professional) -> dict[str, object]:
    """A held conference of the same family whose draft minutes are shared, with a comment."""

    now = timezone.now()
    held = factories.schedule(
        administrator=administrator,
        chair=chair,
        family=family,
        starts_at=now + timedelta(hours=1),
        now=now - timedelta(days=1),
    )
    factories.invite(held, administrator, parent, now=now - timedelta(days=1))
    factories.invite(held, administrator, young, InvitationRole.YOUNG_PERSON, now=now - timedelta(days=1))
    factories.invite(held, administrator, professional, InvitationRole.PROFESSIONAL, now=now - timedelta(days=1))
    factories.hold(held, chair)
    minutes = minutes_services.minutes_start(meeting=held, actor=chair.user, now=held.ends_at)
    minutes_services.minutes_share(minutes=minutes, actor=chair.user, now=held.ends_at)
    section = minutes.sections.get(key="purpose")
    comment = minutes_services.comment_add(
        minutes=minutes, actor=parent.user, text="A comment", section=section, now=held.ends_at
    )
    complaint = feedback_send(
        meeting=held, actor=parent.user, kind="complaint", about="record", text="A complaint", now=held.ends_at
    )
    return {"minutes:pk": held.pk, "section_pk": section.pk, "comment_pk": comment.pk, "feedback_pk": complaint.pk}
