"""Arbitrary input to every form Confer has, as the person the form is for.

Hypothesis fills the fields each page really offers (read from the page's HTML, so a new
field is covered without a change here), sometimes leaves some out, adds unknown ones and
mixes in hostile values: long text, control characters, NUL bytes, impossible dates,
negative and huge ids. Every answer must be a page or a redirect, never a server error;
and whenever Confer refuses (an error message, a 4xx, or the form shown again) nothing
may have changed. Each example runs inside a savepoint that is rolled back, so one
example's success never changes the next one's world.

Uploads are tested apart: arbitrary bytes, called a PDF, are refused by their content.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import Report
from minutes.models import Comment, Feedback
from tests import leaks

pytestmark = pytest.mark.django_db

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "9" * 40,
        "\x00",
        "a\x00b",
        "2027-02-30",
        "0000-01-01",
        "9999-12-31T23:59",
        "9999-12-31T22:00",
        "9999-12-31",
        "2027-03-28T00:30",
        "x" * 301,
        "x" * 60_000,
        "2027-01-06T10:00",
        "on",
        "yes",
        "no",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "x" * 5000,
        "\u202e\ufeff\U0001f600",
    ]
)
VALUE = st.one_of(HOSTILE, st.text(max_size=200), st.integers(min_value=-(2**63), max_value=2**63).map(str))
# Django's own records change on their own (sessions, audit of refusals is by design).
IGNORED = {"audit.auditevent", "sessions.session", "django_tasks_db.dbtaskresult"}


@dataclass(frozen=True)
class Form:
    name: str
    actor: str
    page: str  # where the form is shown
    action: str  # where it posts


def _forms(world: leaks.World) -> list[Form]:
    final, draft, upcoming, _other, checked = world.meetings
    section = world.sections[draft.pk][0]
    comment = Comment.objects.filter(minutes__meeting=draft).first().pk
    invitation = upcoming.invitations.exclude(role="chair").first().pk
    complaint = Feedback.objects.filter(meeting=final, kind="complaint").first().pk

    def url(name, *args):
        return reverse(name, args=args)

    return [
        Form("schedule", "administrator", url("meetings:schedule", final.family_id), ""),
        Form("invite", "administrator", url("meetings:invite", upcoming.pk), ""),
        Form("reschedule", "administrator", url("meetings:reschedule", upcoming.pk), ""),
        Form("cancel", "administrator", url("meetings:cancel", upcoming.pk), ""),
        Form(
            "send invitations",
            "administrator",
            url("meetings:detail", upcoming.pk),
            url("meetings:send_invitations", upcoming.pk),
        ),
        Form(
            "remove",
            "administrator",
            url("meetings:detail", upcoming.pk),
            url("meetings:invitation_remove", upcoming.pk, invitation),
        ),
        Form("reply", "mother", url("meetings:detail", upcoming.pk), url("meetings:respond", upcoming.pk)),
        Form("report", "officer", url("meetings:report", upcoming.pk), ""),
        Form("hold", "chair", url("meetings:hold", upcoming.pk), ""),
        Form("staff account", "administrator", url("participants:staff"), ""),
        Form("section", "chair", url("minutes:section_edit", draft.pk, section), ""),
        Form("who may read", "chair", url("minutes:section_restrict", draft.pk, section), ""),
        Form("comment", "mother", url("minutes:overview", draft.pk), url("minutes:comment_add", draft.pk)),
        Form(
            "change comment",
            "mother",
            url("minutes:overview", draft.pk),
            url("minutes:comment_edit", draft.pk, comment),
        ),
        Form("no comments", "father", url("minutes:overview", draft.pk), url("minutes:no_comments", draft.pk)),
        Form("answer", "chair", url("minutes:respond", draft.pk, comment), ""),
        Form("approve", "chair", url("minutes:overview", draft.pk), url("minutes:approve", draft.pk)),
        Form("withdraw", "chair", url("minutes:overview", draft.pk), url("minutes:withdraw", draft.pk)),
        Form("reopen", "chair", url("minutes:overview", draft.pk), url("minutes:reopen", draft.pk)),
        Form("distribute", "chair", url("minutes:overview", final.pk), url("minutes:distribute", final.pk)),
        Form("decision letter", "chair", url("minutes:decision_letter", final.pk), ""),
        Form("subject access", "manager", url("subject_access", world.people["young_person"].child.pk), ""),
        Form("feedback", "mother", url("minutes:feedback_add", final.pk), ""),
        Form("feedback answer", "manager", url("minutes:feedback_detail", final.pk, complaint), ""),
        Form("stage 2", "mother", url("minutes:feedback_detail", final.pk, complaint), ""),
        Form("quality audit", "manager", url("minutes:quality_audit", final.pk), ""),
        Form("accuracy check", "officer", url("minutes:accuracy", checked.pk), ""),
        Form("accuracy decision", "chair", url("minutes:accuracy", checked.pk), ""),
    ]


def _field_names(html: str) -> list[str]:
    names = set(re.findall(r'\bname="([^"]+)"', html)) - {"csrfmiddlewaretoken"}
    return sorted(names)


def _state() -> str:
    """A digest of every row Confer keeps (except those listed in IGNORED)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED or model._meta.app_label in {"contenttypes", "auth", "admin"}:
            continue
        for row in model.objects.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from leaks.world_for_module(django_db_blocker, tmp_path_factory)


@pytest.fixture(autouse=True)
def _the_worlds_files(settings, world):
    settings.MEDIA_ROOT = world.media


def _refused(response) -> bool:
    if response.status_code >= 400 or response.status_code == 200:
        return True  # a refusal, or the form shown again with its errors (success redirects)
    return any(m.level >= constants.ERROR for m in get_messages(response.wsgi_request))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_form_answers_arbitrary_input_with_a_server_error_or_a_partial_write(client, world, data):
    forms = _forms(world)
    form = data.draw(st.sampled_from(forms), label="form")
    client.force_login(world.people[form.actor].user)
    names = _field_names(client.get(form.page).content.decode())
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True) if names else st.just([]), label="fields")
    extra = data.draw(st.dictionaries(st.text(min_size=1, max_size=20), VALUE, max_size=2), label="extra")
    post = {name: data.draw(VALUE, label=name) for name in chosen} | extra
    client.raise_request_exception = False
    savepoint = transaction.savepoint_create()
    try:
        before = _state()
        response = client.post(form.action or form.page, post)
        assert response.status_code < 500, (form.name, post)
        if _refused(response):
            assert _state() == before, (form.name, post)
    finally:
        transaction.savepoint_rollback(savepoint)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_list_pages_take_any_query_string(client, world, data):
    pages = [
        ("manager", reverse("timeliness")),
        ("manager", reverse("audit:search")),
        ("manager", reverse("feedback_list")),
        ("manager", reverse("quality")),
        ("administrator", reverse("participants:families")),
        ("administrator", reverse("meetings:due")),
        ("administrator", reverse("home")),
        ("chair", reverse("home")),
        ("mother", reverse("home")),
    ]
    actor, url = data.draw(st.sampled_from(pages), label="page")
    keys = st.sampled_from(
        [
            "q",
            "page",
            "after",
            "before",
            "start",
            "end",
            "chair",
            "format",
            "by",
            "upcoming",
            "late",
            "month",
            "size",
            "seed",
        ]
    )
    query = data.draw(st.dictionaries(keys, VALUE, max_size=4), label="query")
    client.force_login(world.people[actor].user)
    client.raise_request_exception = False
    response = client.get(url, query)
    assert response.status_code < 500, (url, query)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    content=st.one_of(st.binary(max_size=4096), st.binary(max_size=4096).map(lambda b: b"%PDF-1.7\n" + b)),
    name=st.sampled_from(["report.pdf", "r.PDF", "x.exe", "a"]),
)
def test_an_upload_that_is_not_a_pdf_is_refused_by_its_content(client, world, content, name):
    upcoming = world.meetings[2]
    client.force_login(world.people["officer"].user)
    count = Report.objects.count()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(reverse("meetings:report", args=[upcoming.pk]), {"text": "", "file": upload})
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert Report.objects.count() == count
