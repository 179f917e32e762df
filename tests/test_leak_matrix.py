"""Privacy by construction: every page, email, calendar file and download, as every kind of
reader, against a marker for every kind of restricted content (see ``tests/leaks.py``).

Each marker must appear only for the readers ``ALLOWED`` names, and for each of them
somewhere, so the test cannot pass by showing nobody anything. Like the access matrix, a
new page or a new kind of email without a row here fails it. The second test switches off
one redaction rule at a time and shows that the sweep then finds the leak that rule
prevents: no rule is untested.
"""

from __future__ import annotations

import io
import itertools

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from meetings import selectors as meeting_selectors
from meetings.enums import InvitationRole
from meetings.models import Invitation, Report
from minutes import feedback as minutes_feedback
from minutes import redaction
from minutes.models import Comment, Feedback, SubjectAccessExport
from notifications.models import OutboundEmail
from tests import leaks
from tests.access import all_patterns

# Every page of Confer's own (allauth's and the admin's show nothing about any meeting and
# are covered by the access matrix). Rows say what each shows; a new page needs a row.
PAGES = {
    "start": "the front door",
    "home": "each person's start page: meetings, next steps",
    "meetings:due": "meetings due and not scheduled",
    "meetings:feed_settings": "calendar feed settings",
    "meetings:mail": "mail held for a person and emails not delivered (administrators)",
    "meetings:feed": "a private calendar feed (by its secret, no sign-in)",
    "meetings:schedule": "scheduling form for a family",
    "meetings:detail": "a meeting: people, reports, replies",
    "meetings:hold": "recording attendance and outcomes",
    "meetings:respond": "reply (POST only)",
    "meetings:report": "an agency's report form",
    "meetings:report_file": "a report's PDF download",
    "meetings:invite": "who is invited",
    "meetings:send_invitations": "send invitations (POST only)",
    "meetings:reschedule": "reschedule form",
    "meetings:cancel": "cancel form",
    "meetings:invitation_remove": "remove someone (POST only)",
    "meetings:invitation_account_invite": "send a sign-in invitation (POST only)",
    "minutes:overview": "the minutes, as the reader's copy",
    "minutes:start": "start the minutes (POST only)",
    "minutes:section_edit": "editing a section",
    "minutes:section_restrict": "who may read a section",
    "minutes:section_add_part": "add a separate part (POST only)",
    "minutes:share": "share (POST only)",
    "minutes:withdraw": "withdraw (POST only)",
    "minutes:reopen": "reopen the window (POST only)",
    "minutes:approve": "approve (POST only)",
    "minutes:comment_add": "comment (POST only)",
    "minutes:comment_edit": "change one's own comment",
    "minutes:respond": "the chair answers a comment",
    "minutes:no_comments": "no comments: what it means, then confirm",
    "minutes:history": "tracked changes and versions",
    "minutes:distribute": "distribute (POST only)",
    "minutes:copy": "the reader's own PDF copy of the final minutes",
    "minutes:decision_letter": "the chair writes and sends the decision letter",
    "minutes:decision_letter_copy": "a parent's own PDF copy of the decision letter",
    "audit:search": "the audit log",
    "participants:staff": "staff accounts",
    "participants:families": "families",
    "subject_access": "a manager's subject access exports for a child",
    "subject_access_file": "a subject access export's PDF",
    "timeliness": "managers' timeliness dashboard",
    "minutes:feedback_add": "a family member's compliment, comment or complaint form",
    "minutes:feedback_detail": "one piece of feedback with its answer",
    "feedback_list": "managers' list of feedback waiting for an answer",
    "quality": "record quality: results per chair and month, the sample, the audits",
    "minutes:quality_audit": "auditing one distributed record against the checklist",
    "minutes:accuracy": "the professionals' accuracy check of a draft before the family sees it",
    "healthz": "is Confer up (numbers only)",
    "privacy": "how Confer uses people's information (no record on it)",
    "metrics": "counts for monitoring (needs a token)",
}

# Every kind of email Confer sends (by the outbox key's shape); a new kind needs a row.
EMAILS = {
    "meeting:REQUEST": "calendar invitation or update",
    "meeting:CANCEL": "calendar cancellation (meeting cancelled, or someone removed)",
    "minutes:shared": "the draft is ready for comments",
    "minutes:reopened": "the comment window is open again",
    "minutes:distributed": "the final minutes are ready (a link, never the content)",
    "account.invited": "how to sign in, for a family member or professional",
    "account.staff_created": "a new staff account",
    "letter": "the conference's decision letter is ready (a link, never the content)",
    "feedback": "feedback received, answered or at stage 2 (a reference and a link, never the content)",
    "accuracy": "the chair asks the professionals who attended to check the draft (a link)",
}


def email_kind(key: str) -> str:
    parts = key.split(":")
    if parts[0] == "meeting":
        return f"meeting:{parts[4]}"
    if parts[0] == "minutes":
        return f"minutes:{parts[2]}"
    return parts[0]


def confer_patterns():
    return [p for p in all_patterns() if not p.route.startswith(("accounts/", "admin/"))]


def urls_for(pattern, world: leaks.World) -> list[str]:
    if "token" in pattern.kwargs:
        return [reverse(pattern.key, kwargs={"token": token}) for token in world.feed_tokens]
    if "child_pk" in pattern.kwargs:
        children = {c.pk for m in world.meetings for c in m.children.all()}
        return [reverse(pattern.key, kwargs={"child_pk": pk}) for pk in sorted(children)]
    if "export_pk" in pattern.kwargs:
        exports = SubjectAccessExport.objects.values_list("pk", flat=True)
        return [reverse(pattern.key, kwargs={"export_pk": pk}) for pk in exports]
    if "family_pk" in pattern.kwargs:
        return [reverse(pattern.key, kwargs={"family_pk": m.family_id}) for m in world.meetings]
    if "pk" not in pattern.kwargs:
        return [reverse(pattern.key)]
    found = []
    for meeting in world.meetings:
        choices = {
            "pk": [meeting.pk],
            "section_pk": world.sections.get(meeting.pk, []),
            "comment_pk": list(Comment.objects.filter(minutes__meeting=meeting).values_list("pk", flat=True)),
            "report_pk": list(Report.objects.filter(meeting=meeting).values_list("pk", flat=True)),
            "invitation_pk": list(meeting.invitations.values_list("pk", flat=True)[:2]),
            "feedback_pk": list(Feedback.objects.filter(meeting=meeting).values_list("pk", flat=True)),
        }
        values = [choices[name] for name in pattern.kwargs]
        for combination in itertools.product(*values):
            found.append(reverse(pattern.key, kwargs=dict(zip(pattern.kwargs, combination, strict=True))))
    return found


def text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for this module (it takes a few seconds) inside a transaction that is
    rolled back after the last test; each test runs in a savepoint inside it."""
    yield from leaks.world_for_module(django_db_blocker, tmp_path_factory)


@pytest.fixture(autouse=True)
def _the_worlds_files(request, settings):
    """The report files the world uploaded, for the tests that use the world."""
    if "world" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("world").media


def sweep(
    world: leaks.World, actors=leaks.ACTORS, only: str = "", first_leak_of: str = ""
) -> tuple[list[str], set[tuple[str, str]]]:
    """Request every page (whose name starts with ``only``) as each of ``actors``, and read
    every email; return the leaks found and the (marker, reader) pairs shown where allowed.
    With ``first_leak_of``, stop at the first leak of that marker (enough to show a
    switched-off rule is caught)."""
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    pages = [(p.key, url) for p in confer_patterns() if p.key.startswith(only) for url in urls_for(p, world)]
    # Each page as every reader in turn, each signed in on a browser of their own: pages
    # kept rendered (``config.fragments``) are then asked for by one reader right after
    # another, so one kept under the wrong key shows here as a leak.
    browsers = {actor: Client() for actor in actors}
    for actor, browser in browsers.items():
        browser.force_login(world.people[actor].user)
    for key, url in pages:
        for actor, browser in browsers.items():
            text = text_of(browser.get(url))
            for marker in leaks.MARKERS:
                if marker not in text:
                    continue
                if actor in leaks.ALLOWED[marker]:
                    seen.add((marker, actor))
                else:
                    problems.append(f"{marker} shown to {actor} at {url} ({key})")
                    if marker == first_leak_of:
                        return problems, seen
    family_emails = {
        world.people[name].email for name in ("mother", "father", "young_person", "advocate", "other_parent")
    }
    for email in OutboundEmail.objects.all():
        calendar = email.calendar or ""
        content = f"{email.subject}\n{email.body}\n{calendar}"
        problems += [f"{m} in the email {email.key} to {email.to_email}" for m in leaks.MARKERS if m in content]
        if leaks.CHILD_NAME in email.subject or leaks.CHILD_NAME in calendar:
            problems.append(f"the child's name in the email {email.key}")
        others = {address for address in family_emails - {email.to_email} if address and address in calendar}
        if others:
            problems.append(f"{sorted(others)} in the calendar sent to {email.to_email}")
    return problems, seen


def test_every_page_and_email_has_a_row():
    assert sorted({p.key for p in confer_patterns()} ^ set(PAGES)) == []


@pytest.mark.django_db
def test_each_marker_reaches_exactly_the_readers_the_rules_allow(world):
    kinds = {email_kind(key) for key in OutboundEmail.objects.values_list("key", flat=True)}
    assert kinds - set(EMAILS) == set(), "a new kind of email needs a row in EMAILS"
    assert set(EMAILS) - kinds == set(), "the world sends every kind of email, so each is checked"
    problems, seen = sweep(world)
    assert problems == []
    expected = {(marker, actor) for marker, actors in leaks.ALLOWED.items() for actor in actors}
    assert sorted(expected - seen) == []


def _without(rules: tuple, name: str) -> tuple:
    kept = tuple(rule for rule in rules if rule.name != name)
    assert len(kept) == len(rules) - 1, f"no rule named {name!r}"
    return kept


def _plain_reader(invitation_id, role, **_):
    """As if an advocate or interpreter read only what is withheld from them by name."""
    return redaction.Reader(invitation_id, role.reads_as_family, frozenset({invitation_id}), frozenset({invitation_id}))


def _every_report(meeting, user):
    return Report.objects.filter(meeting=meeting)


# Each switch turns one rule off, names a marker that must then leak, and the pages the
# rule governs (the full sweep above covers every page with every rule on).
SWITCHES = {
    "part restricted from the reader": (
        lambda mp: mp.setattr(
            redaction, "SECTION_RULES", _without(redaction.SECTION_RULES, "part restricted from the reader")
        ),
        leaks.RESTRICTED_FROM_FATHER,
        "minutes:",
    ),
    "third party without consent": (
        lambda mp: mp.setattr(
            redaction, "SECTION_RULES", _without(redaction.SECTION_RULES, "third party without consent")
        ),
        leaks.THIRD_PARTY,
        "minutes:",
    ),
    "comment on a withheld part": (
        lambda mp: mp.setattr(
            redaction, "COMMENT_RULES", _without(redaction.COMMENT_RULES, "comment on a withheld part")
        ),
        leaks.COMMENT_ON_RESTRICTED,
        "minutes:",
    ),
    "others' comments while the draft is open": (
        lambda mp: mp.setattr(
            redaction, "COMMENT_RULES", _without(redaction.COMMENT_RULES, "others' comments while the draft is open")
        ),
        leaks.FATHER_DRAFT_COMMENT,
        "minutes:",
    ),
    "not-accepted comment kept from the rest of the family": (
        lambda mp: mp.setattr(
            redaction,
            "COMMENT_RULES",
            _without(redaction.COMMENT_RULES, "not-accepted comment kept from the rest of the family"),
        ),
        leaks.DECLINED_PRIVATE,
        "minutes:",
    ),
    "exclusion reasons for staff and professionals": (
        lambda mp: mp.setattr(
            redaction, "NOTE_RULES", _without(redaction.NOTE_RULES, "exclusion reasons for staff and professionals")
        ),
        leaks.EXCLUSION_REASON,
        "minutes:",
    ),
    "an advocate reads what the family member they come with reads": (
        lambda mp: mp.setattr(redaction, "reader_for_invitation", _plain_reader),
        leaks.RESTRICTED_FROM_FATHER,
        "minutes:",
    ),
    "feedback is for the sender's household and managers": (
        lambda mp: mp.setattr(
            minutes_feedback, "household_of", lambda reader: frozenset(Invitation.objects.values_list("pk", flat=True))
        ),
        leaks.MOTHER_COMPLAINT,
        "minutes:feedback",
    ),
    "a report not shared is for staff and professionals": (
        lambda mp: mp.setattr(meeting_selectors, "reports_visible_to", _every_report),
        leaks.REPORT_NOT_SHARED,
        "meetings:",
    ),
}


def test_every_redaction_rule_has_a_switch():
    rules = [*redaction.SECTION_RULES, *redaction.COMMENT_RULES, *redaction.NOTE_RULES]
    assert sorted(rule.name for rule in rules if rule.name not in SWITCHES) == []


@pytest.mark.django_db
@pytest.mark.parametrize("rule", list(SWITCHES))
def test_switching_off_one_rule_is_caught(rule, monkeypatch, world):
    switch_off, marker, pages = SWITCHES[rule]
    switch_off(monkeypatch)
    # A leak of this marker can only be to someone not allowed it: sweep as each of them.
    readers = [a for a in leaks.ACTORS if a not in leaks.ALLOWED[marker]]
    problems, _seen = sweep(world, actors=readers, only=pages, first_leak_of=marker)
    assert any(problem.startswith(marker) for problem in problems), problems


def test_roles_are_classified_once_for_every_role():
    expected = {
        InvitationRole.PARENT_CARER: ("family", True, True, False, True),
        InvitationRole.YOUNG_PERSON: ("family", True, True, False, True),
        InvitationRole.ADVOCATE: ("with_family", False, True, False, True),
        InvitationRole.INTERPRETER: ("with_family", False, True, False, False),
        InvitationRole.PROFESSIONAL: ("professional", False, False, True, False),
        InvitationRole.MINUTE_TAKER: ("professional", False, False, True, False),
        InvitationRole.CHAIR: ("professional", False, False, True, False),
    }
    assert set(expected) == set(InvitationRole)
    for role, row in expected.items():
        assert (role.party, role.is_family, role.reads_as_family, role.reads_full_record, role.may_comment) == row
    assert [r for r in InvitationRole if not r.replies] == [InvitationRole.CHAIR]
