"""Reads about meetings. Views, services and commands look meetings up through here."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from config import prepared
from meetings import timescales
from meetings.enums import MeetingKind, MeetingStatus
from meetings.errors import MeetingError
from meetings.models import CalendarReply, Invitation, Meeting, Report
from notifications.models import OutboundEmail
from participants.models import Child, Family
from participants.rules import is_staff_role


def track_kinds(kind: MeetingKind) -> list[str]:
    return [k.value for k in MeetingKind if k.track == kind.track]


def care_period_start(children: Iterable[Child]) -> date | None:
    """When the children's current period in care began (the earliest, for a sibling
    group). CLA reviews from an earlier period do not count towards this one: a child who
    comes back into care starts a new clock, first review within 20 working days."""
    since = [c.looked_after_since for c in children if c.looked_after_since]
    return min(since) if since else None


def _held_in_track(kind: MeetingKind, children: list[Child]) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(
        kind__in=track_kinds(kind),
        children__in=children,
        status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED],
    )
    if kind.track == MeetingKind.CLA.track and (since := care_period_start(children)) is not None:
        qs = qs.filter(starts_at__date__gte=since)
    return qs


def previous_in_track(kind: MeetingKind, children: Iterable[Child]) -> Meeting | None:
    """The latest held (or minuted) meeting of the same track about any of these children
    (for CLA reviews, in the current period in care)."""
    return _held_in_track(kind, list(children)).order_by("-starts_at", "-id").distinct().first()


def held_count_in_track(kind: MeetingKind, children: Iterable[Child], *, before: Meeting) -> int:
    return (
        _held_in_track(kind, list(children))
        .filter(starts_at__lt=before.starts_at)
        .exclude(pk=before.pk)
        .distinct()
        .count()
    )


def meetings_for_user(user, *, with_own_role: bool = False) -> QuerySet[Meeting]:
    """Every meeting this user may see. Views look meetings up only through this (or
    ``visible_meeting``, the same rule for one meeting).

    Staff (administrators, chairs, managers) see all meetings; everyone else sees the
    meetings they are invited to, and nothing else. With ``with_own_role`` each meeting
    comes with the user's role at it (``viewer_role``, None if not invited), and for
    someone who is not staff, the invitation that gives the role is what makes the meeting
    visible.
    """

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Meeting.objects.none()
    return _visible_to(user.pk, staff=_sees_all(user), with_own_role=with_own_role)


def visible_meeting(user, pk: int, *, related: tuple[str, ...] = ()) -> Meeting | None:
    """The meeting ``pk`` if this user may see it (else None), with the user's role at it
    (``viewer_role``) and its chair, family and ``related`` read in the same query.

    Every meeting and minutes page asks this first, so the query is the one
    ``meetings_for_user`` builds, compiled once per process (``config.prepared``): building
    it cost several times what the database takes to answer."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    staff = _sees_all(user)
    return prepared.one(
        ("visible_meeting", staff, related),
        lambda user_id, pk: (
            _visible_to(user_id, staff=staff, with_own_role=True)
            .select_related("chair", "family", *related)
            .filter(pk=pk)
            .order_by()  # one row: nothing to sort
        ),
        user_id=user.pk,
        pk=pk,
    )


def _sees_all(user) -> bool:
    return user.is_superuser or is_staff_role(user)


def _visible_to(user_id: int, *, staff: bool, with_own_role: bool) -> QuerySet[Meeting]:
    """The rule itself, for a user known to be signed in and active."""
    if with_own_role and not staff:
        # Joined: an invitation is unique per meeting and person, and a person per user, so
        # each meeting comes once, and the row that makes it visible carries the role (a
        # subquery would be run twice, in the columns and again in the condition).
        return Meeting.objects.filter(invitations__person__user_id=user_id).annotate(viewer_role=F("invitations__role"))
    # At most one (an invitation is unique per meeting and person): no ordering to join for.
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), person__user_id=user_id).order_by()
    if with_own_role:
        return Meeting.objects.annotate(viewer_role=Subquery(invited.values("role")[:1]))
    # EXISTS rather than a join and DISTINCT: one row per meeting without sorting or hashing
    # every column of it to drop duplicates.
    return Meeting.objects.all() if staff else Meeting.objects.filter(Exists(invited))


def followed(meeting_id: int) -> bool:
    """Whether a meeting (not cancelled) follows this one."""
    return Meeting.objects.filter(previous_id=meeting_id).exclude(status=MeetingStatus.CANCELLED).exists()


def scheduled_by(submission) -> Meeting | None:
    """The meeting a scheduling form's one-time token already created, if any."""
    return Meeting.objects.filter(submission=submission).first() if submission else None


# What a row of a meeting list shows (reference, kind, when, chair, due date and whether
# it is late): loading only these keeps a page of rows cheap.
LIST_FIELDS = ("id", "kind", "reference", "starts_at", "due_on", "status", "chair__full_name")


def upcoming_meetings(now) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=now)
        .select_related("chair")
        .only(*LIST_FIELDS)
        .order_by("starts_at", "id")
    )


def late_scheduled_meetings() -> QuerySet[Meeting]:
    """Scheduled after their statutory due date (each has a recorded reason)."""

    # A late reason is required, and kept, exactly when the date is after the due date
    # (``services._late_reason``), so the stored reason marks the late ones for the index.
    return (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED)
        .exclude(late_reason="")
        .select_related("chair")
        .only(*LIST_FIELDS)
        .order_by("starts_at", "id")
    )


def invitations_for_user(user):
    """The signed-in person's own invitations to meetings that are not cancelled."""

    return (
        Invitation.objects.filter(person__user=user)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting", "meeting__chair")
        .order_by("-meeting__starts_at", "id")
    )


def open_counts() -> dict[str, int]:
    """How many meetings are scheduled, and held with minutes still to come: the open work
    (totals over all history, which only grow, belong to the timeliness dashboard)."""
    open_statuses = [MeetingStatus.SCHEDULED, MeetingStatus.HELD]
    rows = Meeting.objects.filter(status__in=open_statuses).values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(open_statuses, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def emails_for_meeting(meeting: Meeting):
    """The outbox rows about a meeting, oldest first, for staff to see what went to whom."""

    return (
        OutboundEmail.objects.filter(object_type="meetings.meeting", object_id=str(meeting.pk))
        .select_related("recipient")
        .order_by("created_at", "id")
    )


@dataclasses.dataclass(frozen=True)
class DueItem:
    """A child or sibling group whose next meeting is due and not yet scheduled."""

    family_id: int
    family_reference: str
    kind: MeetingKind
    due_on: date
    children: tuple[str, ...]  # identifiers
    previous_id: int | None
    previous_reference: str

    @property
    def overdue_on(self) -> bool:

        return self.due_on < timezone.localdate()


def _cla_review_missing() -> QuerySet[Child]:
    """Looked-after children with no CLA review in their current period in care (one from
    an earlier period does not count)."""
    has_cla = Meeting.objects.filter(
        children=OuterRef("pk"), kind=MeetingKind.CLA, starts_at__date__gte=OuterRef("looked_after_since")
    ).exclude(status=MeetingStatus.CANCELLED)
    return Child.objects.filter(looked_after_since__isnull=False).exclude(Exists(has_cla))


def _due_keys() -> list[tuple]:
    """(due date, family reference, source, id) of every due item, soonest first: small
    rows read for all of them (open work, which stays small however long the history)."""
    keys = [
        (due_on, reference, "m", pk)
        for pk, due_on, reference in Meeting.objects.filter(next_pending=True).values_list(
            "pk", "next_due_on", "family__reference"
        )
    ] + [
        (timescales.first_cla_review_due(since), reference, "c", pk)
        for pk, since, reference in _cla_review_missing().values_list("pk", "looked_after_since", "family__reference")
    ]
    return sorted(keys)


def _due_items(keys: list[tuple]) -> list[DueItem]:
    """The items of these keys, in their order, loaded in full (three queries)."""
    wanted = {source: [key[3] for key in keys if key[2] == source] for source in ("m", "c")}
    meetings = (
        Meeting.objects.filter(pk__in=wanted["m"])
        .select_related("family")
        .prefetch_related(Prefetch("children", queryset=Child.objects.only("id", "identifier")))
        .in_bulk()
    )
    children = Child.objects.filter(pk__in=wanted["c"]).select_related("family").in_bulk()
    return [
        _due_meeting(meetings[pk]) if source == "m" else _due_child(children[pk])
        for _due, _reference, source, pk in keys
    ]


def due_page(number, per_page: int = 25) -> Page:
    """One page of the due list (``due_list``): the order is decided on small keys, and
    only the page's own items are loaded in full."""
    page = Paginator(_due_keys(), per_page).get_page(number)
    page.object_list = _due_items(list(page.object_list))
    return page


def _due_meeting(m: Meeting) -> DueItem:
    children = tuple(c.identifier for c in m.children.all())
    return DueItem(
        m.family_id, m.family.reference, MeetingKind(m.next_kind), m.next_due_on, children, m.pk, m.reference
    )


def _due_child(child: Child) -> DueItem:
    due_on = timescales.first_cla_review_due(child.looked_after_since)
    return DueItem(child.family_id, child.family.reference, MeetingKind.CLA, due_on, (child.identifier,), None, "")


def due_list() -> list[DueItem]:
    """Every follow-up meeting the timescales require and nobody has scheduled, soonest
    first: a held meeting whose next meeting is due with nothing (not cancelled) after it
    (``Meeting.next_pending``), and a looked-after child with no CLA review in this period
    in care (the first is due 20 working days after they became looked after)."""
    return _due_items(_due_keys())


def chair_clashes(chair, starts_at, ends_at, *, exclude: Meeting | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(
        chair=chair, status=MeetingStatus.SCHEDULED, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


def reports_visible_to(meeting: Meeting, user) -> QuerySet:
    """Staff and invited professionals see every report; family members see only those the
    author agreed to share."""

    reports = Report.objects.filter(meeting=meeting).select_related("author", "agency", "meeting")
    if user.is_superuser or is_staff_role(user):
        return reports
    own = meeting.invitations.filter(person__user=user).first()
    if own is None:
        return reports.none()
    if own.role_enum.reads_full_record:
        return reports
    return reports.filter(share_with_family=True)


def audit_objects_for_child(identifier: str) -> list[tuple[str, str]]:
    """The records a child's information is seen and changed on, for the audit search: the
    child's own record and every meeting about them."""
    child_ids = list(Child.objects.filter(identifier__iexact=identifier.strip()).values_list("pk", flat=True))
    meeting_ids = Meeting.objects.filter(children__pk__in=child_ids).values_list("pk", flat=True).distinct()
    return [("participants.child", str(pk)) for pk in child_ids] + [("meetings.meeting", str(pk)) for pk in meeting_ids]


def statutory_due_date(
    *, kind: MeetingKind, children: Sequence[Child], strategy_discussion_on: date | None
) -> tuple[date | None, Meeting | None]:
    """When a new meeting of this kind is due, and the meeting it follows on from."""
    if kind == MeetingKind.ICPC:
        if strategy_discussion_on is None:
            raise MeetingError("Enter the date of the strategy discussion: the initial conference is due from it.")
        return timescales.initial_conference_due(strategy_discussion_on), None
    previous = previous_in_track(kind, children)
    if previous is not None:
        return previous.next_due_on, previous
    if kind == MeetingKind.CLA and (since := care_period_start(children)) is not None:
        return timescales.first_cla_review_due(since), None
    return None, None


def due_dates_for_family(family: Family) -> list[tuple[str, date | None]]:
    """When the family's next review of each kind is due, for the scheduling page."""
    children = list(family.children.all())
    rows = []
    for kind in (MeetingKind.RCPC, MeetingKind.CLA, MeetingKind.CIN):
        due_on, _previous = statutory_due_date(kind=kind, children=children, strategy_discussion_on=None)
        rows.append((kind.label, due_on))
    return rows


def held_mail(limit: int = 50) -> list[CalendarReply]:
    """The newest messages from the service mailbox that wait for a person, with why: a
    reply Confer could not read, could not trust or would not apply on its own."""
    return list(
        CalendarReply.objects.filter(outcome=CalendarReply.Outcome.HELD)
        .select_related("meeting")
        .order_by("-received_at", "-id")[:limit]
    )


def undelivered_mail(limit: int = 50) -> list[OutboundEmail]:
    """The newest emails Confer could not send, with the mail server's last answer."""
    return list(
        OutboundEmail.objects.filter(status__in=[OutboundEmail.Status.FAILED, OutboundEmail.Status.UNDELIVERABLE])
        .only("id", "created_at", "status", "attempts", "last_error", "to_email", "subject")
        .order_by("-created_at", "-id")[:limit]
    )
