"""A world holding every kind of restricted content, each a unique marker string, and the
people who may or may not read each one. Built only through the services, so it is a state
Confer can really be in. Used by ``tests/test_leak_matrix.py``.

The family: a mother and a father in separate households, their 14-year-old, and an
advocate who comes with the father. Two invited professionals, an uninvited one, staff,
and a parent of another family.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from meetings import feeds, invites, reports
from meetings.enums import InvitationRole, MeetingKind
from meetings.models import Meeting
from meetings.services import AttendanceRecord, OutcomeRecord
from minutes import accuracy, feedback, services
from participants.enums import Consent, Relationship, StaffRole
from participants.models import FamilyMember, ThirdPartySource
from participants.services import account_invite, staff_account_create
from tests import factories

# One marker per kind of restricted content.
THIRD_PARTY = "MARKER-THIRD-PARTY-neighbour-saw"
RESTRICTED_FROM_FATHER = "MARKER-PART-RESTRICTED-FROM-FATHER"
EXCLUSION_REASON = "MARKER-EXCLUSION-REASON-threatened-staff"
COMMENT_ON_RESTRICTED = "MARKER-MOTHERS-COMMENT-ON-THE-RESTRICTED-PART"
DECLINED_PRIVATE = "MARKER-MOTHERS-DECLINED-COMMENT-KEPT-PRIVATE"
FATHER_ACCEPTED = "MARKER-FATHERS-ACCEPTED-COMMENT"
FATHER_DRAFT_COMMENT = "MARKER-FATHERS-COMMENT-ON-THE-OPEN-DRAFT"
MOTHER_DRAFT_COMMENT = "MARKER-MOTHERS-COMMENT-ON-THE-OPEN-DRAFT"
REPORT_NOT_SHARED = "MARKER-POLICE-REPORT-NOT-FOR-THE-FAMILY"
OTHER_FAMILY = "MARKER-ANOTHER-FAMILYS-MINUTES"
MOTHER_COMPLAINT = "MARKER-MOTHERS-COMPLAINT-ABOUT-THE-RECORD"
ANSWER_TO_MOTHER = "MARKER-MANAGERS-ANSWER-TO-THE-MOTHER"
FATHER_FEEDBACK = "MARKER-FATHERS-COMMENT-ON-THE-MEETING"
OFFICER_SUGGESTION = "MARKER-OFFICERS-SUGGESTED-CORRECTION"
CHILD_NAME = "Zebedee Leakname"  # never in an email subject or a calendar file

ACTORS = [
    "administrator",
    "manager",
    "chair",
    "officer",
    "health_visitor",
    "mother",
    "father",
    "young_person",
    "advocate",
    "uninvited_professional",
    "other_parent",
]
STAFF_AND_PROFESSIONALS = {"administrator", "manager", "chair", "officer", "health_visitor"}

# Who may read each marker (on some page or download); nobody else may, anywhere.
ALLOWED: dict[str, set[str]] = {
    THIRD_PARTY: STAFF_AND_PROFESSIONALS,
    RESTRICTED_FROM_FATHER: STAFF_AND_PROFESSIONALS | {"mother", "young_person"},
    EXCLUSION_REASON: STAFF_AND_PROFESSIONALS,
    # Declined, and the chair chose to show it to the family: but not to the father, from
    # whom the part it is on is withheld, nor to his advocate.
    COMMENT_ON_RESTRICTED: STAFF_AND_PROFESSIONALS | {"mother", "young_person"},
    DECLINED_PRIVATE: STAFF_AND_PROFESSIONALS | {"mother"},
    FATHER_ACCEPTED: STAFF_AND_PROFESSIONALS | {"father", "advocate"},
    FATHER_DRAFT_COMMENT: STAFF_AND_PROFESSIONALS | {"father", "advocate"},
    MOTHER_DRAFT_COMMENT: STAFF_AND_PROFESSIONALS | {"mother"},
    REPORT_NOT_SHARED: STAFF_AND_PROFESSIONALS,
    # Staff see every meeting; of the people, only the other family's parent.
    OTHER_FAMILY: {"administrator", "manager", "chair", "other_parent"},
    # Feedback: the sender's household and managers; not the chair, not professionals (a
    # complaint may be about any of them), not the other parent.
    MOTHER_COMPLAINT: {"manager", "mother"},
    ANSWER_TO_MOTHER: {"manager", "mother"},
    FATHER_FEEDBACK: {"manager", "father", "advocate"},
    # A correction suggested in the accuracy check: the chair and its author, until the
    # chair accepts it (it is left undecided here).
    OFFICER_SUGGESTION: {"chair", "officer"},
}
MARKERS = list(ALLOWED)


@dataclass
class World:
    people: dict  # actor name -> Person
    meetings: list[Meeting]  # final record, open draft, a scheduled meeting, the other family's, a draft in check
    feed_tokens: list[str]
    sections: dict[int, list[int]] = field(default_factory=dict)  # meeting pk -> sections worth opening
    media: object = None  # where the world's uploaded files are


def _pdf_with(text: str) -> bytes:
    return weasyprint.HTML(string=f"<p>{text}</p>").write_pdf()


def _person(name: str, **kw):
    return factories.PersonFactory(full_name=name, user=factories.UserFactory(), **kw)


def _attended(meeting: Meeting, excluded, reason: str) -> dict:
    """Everyone attended; ``excluded`` was asked to leave for part of the meeting."""
    return {
        inv.pk: AttendanceRecord("attended", inv == excluded, reason if inv == excluded else "")
        for inv in meeting.invitations.all()
    }


def _invite_family(meeting, administrator, p, at) -> dict[str, object]:
    inv = {
        "mother": factories.invite(meeting, administrator, p["mother"], now=at),
        "father": factories.invite(meeting, administrator, p["father"], now=at),
        "young_person": factories.invite(
            meeting, administrator, p["young_person"], InvitationRole.YOUNG_PERSON, now=at
        ),
        "officer": factories.invite(meeting, administrator, p["officer"], InvitationRole.PROFESSIONAL, now=at),
        "health_visitor": factories.invite(
            meeting, administrator, p["health_visitor"], InvitationRole.PROFESSIONAL, now=at
        ),
    }
    inv["advocate"] = factories.invite(
        meeting, administrator, p["advocate"], InvitationRole.ADVOCATE, accompanies=inv["father"], now=at
    )
    invites.invitations_send(meeting=meeting, actor=administrator.user, now=at)
    return inv


def build_world() -> World:
    now = timezone.now()
    administrator = factories.staff(StaffRole.ADMINISTRATOR)
    manager = factories.staff(StaffRole.MANAGER)
    chair = factories.staff(StaffRole.CHAIR)
    family = factories.FamilyFactory()
    mother, father = _person("Mother Leakname"), _person("Father Leakname")
    for parent in (mother, father):
        FamilyMember.objects.create(
            family=family, person=parent, relationship=Relationship.PARENT, has_parental_responsibility=True
        )
    child = factories.ChildFactory(family=family, person=_person(CHILD_NAME))
    other_family, other_parent = factories.family_with_parent(surname="Otherfamily")
    people = {
        "administrator": administrator,
        "manager": manager,
        "chair": chair,
        "officer": _person("Pat Constable", agency=factories.AgencyFactory(name="Police")),
        "health_visitor": _person("Hana Visitor", agency=factories.AgencyFactory(name="Health")),
        "mother": mother,
        "father": father,
        "young_person": child.person,
        "advocate": _person("Ada Advocate"),
        "uninvited_professional": _person("Una Housing", agency=factories.AgencyFactory(name="Housing")),
        "other_parent": other_parent,
    }
    neighbour = ThirdPartySource.objects.create(family=family, name="A neighbour", consent=Consent.REFUSED)

    # 1. A conference whose minutes are approved: the final record.
    t0 = now - timedelta(days=40)
    final = factories.schedule(
        administrator=administrator, chair=chair, family=family, starts_at=t0, now=t0 - timedelta(days=14)
    )
    inv = _invite_family(final, administrator, people, t0 - timedelta(days=7))
    reports.report_submit(
        meeting=final,
        actor=people["officer"].user,
        text=f"Police report: {REPORT_NOT_SHARED}",
        share_with_family=False,
        file=SimpleUploadedFile("r.pdf", _pdf_with(REPORT_NOT_SHARED), content_type="application/pdf"),
        now=t0 - timedelta(days=5),
    )
    factories.hold(
        final, chair, now=t0 + timedelta(hours=1), attendance=_attended(final, inv["father"], EXCLUSION_REASON)
    )
    services.decision_letter_send(
        meeting=final,
        actor=chair.user,
        lead_social_worker="Sam Worker",
        late_reason="Sent late in the test world",
        now=t0 + timedelta(hours=2),
    )
    minutes = services.minutes_start(meeting=final, actor=chair.user, now=t0 + timedelta(hours=2))
    at = t0 + timedelta(hours=3)

    def write(section, text):
        services.section_save(section=section, actor=chair.user, text=text, version=section.version, now=at)

    worries = minutes.sections.get(key="worries")
    write(worries, f"Worries. {THIRD_PARTY}")
    services.section_set_restrictions(
        section=worries, actor=chair.user, third_party_source=neighbour, restricted_from=[], now=at
    )
    part = services.section_add_part(section=minutes.sections.get(key="analysis"), actor=chair.user, now=at)
    write(part, f"Said while the father was out. {RESTRICTED_FROM_FATHER}")
    services.section_set_restrictions(
        section=part, actor=chair.user, third_party_source=None, restricted_from=[inv["father"]], now=at
    )
    purpose, decision = minutes.sections.get(key="purpose"), minutes.sections.get(key="decision")
    write(purpose, "Why we met.")
    services.minutes_share(minutes=minutes, actor=chair.user, now=t0 + timedelta(days=1))
    said = t0 + timedelta(days=1, hours=2)
    on_part = services.comment_add(
        minutes=minutes, actor=mother.user, text=COMMENT_ON_RESTRICTED, section=part, now=said
    )
    private = services.comment_add(minutes=minutes, actor=mother.user, text=DECLINED_PRIVATE, section=purpose, now=said)
    fathers = services.comment_add(minutes=minutes, actor=father.user, text=FATHER_ACCEPTED, section=decision, now=said)
    services.no_comments(minutes=minutes, actor=child.person.user, now=said)
    services.comment_respond(
        comment=on_part, actor=chair.user, accepted=False, reason="Kept as said", show_to_family=True, now=said
    )
    services.comment_respond(comment=private, actor=chair.user, accepted=False, reason="Kept as said", now=said)
    services.comment_respond(
        comment=fathers, actor=chair.user, accepted=True, amended_text="The decision, amended.", now=said
    )
    services.minutes_approve(minutes=minutes, actor=chair.user, now=t0 + timedelta(days=12))
    # Distributed: every reader's copy is a PDF the sweep downloads and reads back.
    services.minutes_distribute(minutes=minutes, actor=chair.user, now=t0 + timedelta(days=13))
    # Afterwards the mother complains about the record (answered, then taken to stage 2)
    # and the father comments on the meeting.
    complaint = feedback.feedback_send(
        meeting=final,
        actor=mother.user,
        kind="complaint",
        about="record",
        text=MOTHER_COMPLAINT,
        section=purpose,
        now=t0 + timedelta(days=15),
    )
    feedback.feedback_answer(feedback=complaint, actor=manager.user, text=ANSWER_TO_MOTHER, now=t0 + timedelta(days=16))
    feedback.feedback_escalate(feedback=complaint, actor=mother.user, reason="Not settled", now=t0 + timedelta(days=17))
    feedback.feedback_send(
        meeting=final,
        actor=father.user,
        kind="comment",
        about="meeting",
        text=FATHER_FEEDBACK,
        now=t0 + timedelta(days=15),
    )

    # 2. A review conference whose draft is open for comments now.
    t1 = now - timedelta(days=20)
    draft = factories.schedule(
        administrator=administrator,
        chair=chair,
        family=family,
        kind=MeetingKind.RCPC,
        starts_at=t1,
        now=t1 - timedelta(days=10),
    )
    _invite_family(draft, administrator, people, t1 - timedelta(days=7))
    factories.hold(draft, chair, now=t1 + timedelta(hours=1))
    open_minutes = services.minutes_start(meeting=draft, actor=chair.user, now=t1 + timedelta(hours=2))
    services.minutes_share(minutes=open_minutes, actor=chair.user, now=now - timedelta(hours=2))
    draft_purpose = open_minutes.sections.get(key="purpose")
    services.comment_add(
        minutes=open_minutes,
        actor=father.user,
        text=FATHER_DRAFT_COMMENT,
        section=draft_purpose,
        now=now - timedelta(hours=1),
    )
    services.comment_add(
        minutes=open_minutes,
        actor=mother.user,
        text=MOTHER_DRAFT_COMMENT,
        section=draft_purpose,
        now=now - timedelta(hours=1),
    )
    services.window_reopen(
        minutes=open_minutes, actor=chair.user, reason="Asked for time", now=now - timedelta(minutes=30)
    )

    # 3. A meeting still to come, with someone removed after the invitations went out.
    t2 = now + timedelta(days=10)
    upcoming = factories.schedule(
        administrator=administrator,
        chair=chair,
        family=family,
        kind=MeetingKind.CIN,
        starts_at=t2,
        now=now - timedelta(days=1),
    )
    _invite_family(upcoming, administrator, people, now - timedelta(hours=5))
    removed = factories.invite(
        upcoming, administrator, factories.PersonFactory(), InvitationRole.PROFESSIONAL, now=now - timedelta(hours=4)
    )
    invites.invitations_send(meeting=upcoming, actor=administrator.user, now=now - timedelta(hours=4))
    invites.invitation_remove(invitation=removed, actor=administrator.user, now=now - timedelta(hours=3))

    # 4. Another family's conference, its draft shared with them.
    other = factories.schedule(
        administrator=administrator, chair=chair, family=other_family, starts_at=t0, now=t0 - timedelta(days=14)
    )
    factories.invite(other, administrator, other_parent, now=t0 - timedelta(days=7))
    factories.hold(
        other,
        chair,
        now=t0 + timedelta(hours=1),
        outcomes={c.pk: OutcomeRecord(plan_needed=False) for c in other.children.all()},
    )
    other_minutes = services.minutes_start(meeting=other, actor=chair.user, now=t0 + timedelta(hours=2))
    other_purpose = other_minutes.sections.get(key="purpose")
    services.section_save(
        section=other_purpose, actor=chair.user, text=OTHER_FAMILY, version=other_purpose.version, now=at
    )
    services.minutes_share(minutes=other_minutes, actor=chair.user, now=now - timedelta(hours=2))

    # 5. A conference held yesterday: its draft is with the professionals for an accuracy
    # check, and the officer has suggested a correction.
    t3 = now - timedelta(days=1)
    checked = factories.schedule(
        administrator=administrator, chair=chair, family=family, starts_at=t3, now=t3 - timedelta(days=10)
    )
    _invite_family(checked, administrator, people, t3 - timedelta(days=7))
    factories.hold(checked, chair, now=t3 + timedelta(hours=1))
    checked_minutes = services.minutes_start(meeting=checked, actor=chair.user, now=t3 + timedelta(hours=2))
    accuracy.accuracy_check_send(
        minutes=checked_minutes, actor=chair.user, deadline=timezone.localdate() + timedelta(days=1), now=now
    )
    accuracy.suggestion_add(
        section=checked_minutes.sections.get(key="purpose"),
        actor=people["officer"].user,
        text=f"Corrected. {OFFICER_SUGGESTION}",
        now=now,
    )

    # The father asks for the records about his child (a subject access request).
    services.subject_access_export(child=child, requester=father, actor=manager.user, now=now - timedelta(minutes=5))

    # Account emails, and calendar feeds.
    account_invite(actor=administrator.user, person=mother, now=now - timedelta(hours=1))
    staff_account_create(
        actor=administrator.user, full_name="New Chair", email="new.chair@example.test", role=StaffRole.CHAIR
    )
    tokens = [feeds.feed_create(actor=chair.user), feeds.feed_create(actor=administrator.user)]
    interesting = {"worries", "analysis_part", "purpose", "decision", "attendance"}
    sections = {
        m.pk: list(m.minutes.sections.filter(key__in=interesting).values_list("pk", flat=True))
        for m in (final, draft, other, checked)
    }
    return World(
        people=people, meetings=[final, draft, upcoming, other, checked], feed_tokens=tokens, sections=sections
    )


def world_for_module(django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The world, built once for a test module inside a transaction that is rolled back
    after its last test (each test runs in a savepoint inside it)."""
    media = tmp_path_factory.mktemp("leak-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            built.media = media
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
