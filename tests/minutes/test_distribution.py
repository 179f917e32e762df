"""Distribution: every recipient's PDF read back with pypdf, renders counted, deadlines
enforced in time (time-machine), downloads audited and kept to their owner."""

import hashlib
import io

import pypdf
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from meetings.enums import InvitationRole, MeetingStatus
from minutes import pdf, services
from minutes.errors import MinutesError
from minutes.models import Distribution, NoComments
from notifications.delivery import build_email
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local
from tests.minutes.conftest import EVERYONE, THIRD_PARTY, WITHHELD_FROM_PARENT


def pages_text(distribution: Distribution) -> list[str]:
    with distribution.file.open("rb") as f:
        return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(f.read())).pages]


def test_each_recipient_gets_their_readers_copy_with_their_name_on_every_page_and_its_hash(
    approved, chair, parent, officer, held_meeting
):
    made = services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    assert {d.person for d in made} == {chair, parent, officer}
    version = approved.versions.get()
    for distribution in made:
        pages = pages_text(distribution)
        assert len(pages) > 1
        name = distribution.person.full_name
        assert all(f"copy for {name}" in page for page in pages), name
        assert all("OFFICIAL-SENSITIVE" in page and f"of {len(pages)}" in page for page in pages)
        assert version.sha256 in "".join(pages).replace("\n", "")
        with distribution.file.open("rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == distribution.sha256
        text = "".join(pages)
        assert EVERYONE in text
        if distribution.person == parent:
            assert (WITHHELD_FROM_PARENT in text, THIRD_PARTY in text) == (False, False)
            assert "This part of the meeting took place without you" in text
            assert "Information from a third party has been withheld" in text
        else:
            assert (WITHHELD_FROM_PARENT in text, THIRD_PARTY in text) == (True, True)
    approved.refresh_from_db()
    held_meeting.refresh_from_db()
    assert (approved.status, held_meeting.status) == ("distributed", MeetingStatus.MINUTED)
    assert AuditEvent.objects.get(code="minutes.distributed").detail["renders"] == 2


def test_a_copy_is_a_tagged_pdf_with_a_title_and_language(approved, chair, parent):
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    copy = Distribution.objects.get(person=parent)
    with copy.file.open("rb") as f:
        reader = pypdf.PdfReader(io.BytesIO(f.read()))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Minutes: Initial child protection conference")


def test_fifteen_recipients_with_two_profiles_cost_two_renders(
    minutes, held_meeting, chair, administrator, neighbour, monkeypatch
):
    # Twelve more professionals join before the meeting; a second parent too. Professionals
    # and the chair read the full record; the two parents read the same family copy.
    meeting = factories.schedule(
        administrator=administrator,
        chair=chair,
        family=held_meeting.family,
        kind="rcpc",
        starts_at=local(2027, 3, 3),
        now=local(2027, 2, 1),
    )
    parents = [held_meeting.invitations.get(role=InvitationRole.PARENT_CARER).person, factories.PersonFactory()]
    for person in parents:
        factories.invite(meeting, administrator, person)
    for _ in range(12):
        factories.invite(meeting, administrator, factories.PersonFactory(), InvitationRole.PROFESSIONAL)
    factories.hold(meeting, chair, now=local(2027, 3, 3, 12))
    review = services.minutes_start(meeting=meeting, actor=chair.user, now=local(2027, 3, 3, 13))
    worries = review.sections.get(key="worries")
    services.section_set_restrictions(
        section=worries, actor=chair.user, third_party_source=neighbour, restricted_from=[]
    )
    services.minutes_share(minutes=review, actor=chair.user, now=local(2027, 3, 4, 9))
    services.minutes_approve(minutes=review, actor=chair.user, now=local(2027, 3, 12, 9))
    renders = []
    real_render = pdf.render_pdf

    def counting_render(html, **kwargs):
        renders.append(html)
        return real_render(html, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", counting_render)
    made = services.minutes_distribute(minutes=review, actor=chair.user, now=local(2027, 3, 12, 10))
    assert len(made) == 15
    assert len(renders) == len({d.profile for d in made}) == 2
    assert len({d.sha256 for d in made}) == 15  # each copy carries its own name


def test_distribution_waits_for_the_family_inside_the_window_and_goes_once_it_closes(
    approved, chair, parent, time_machine
):
    # The window closes at the end of Thursday 14 January (5 working days after the 7th).
    NoComments.objects.filter(minutes=approved).delete()  # as if the parent had not answered
    time_machine.move_to(local(2027, 1, 14, 17))
    with pytest.raises(MinutesError, match="until the end of Thursday 14 January 2027 to comment"):
        services.minutes_distribute(minutes=approved, actor=chair.user)
    time_machine.move_to(local(2027, 1, 15, 9))
    assert len(services.minutes_distribute(minutes=approved, actor=chair.user)) == 3


def test_late_distribution_needs_a_reason_which_is_kept_and_audited(approved, chair, time_machine):
    # Held Wednesday 6 January 2027: due 15 working days later, Wednesday 27 January.
    assert services.distribution_due(approved.meeting).isoformat() == "2027-01-27"
    time_machine.move_to(local(2027, 1, 28, 9))
    with pytest.raises(MinutesError, match="due to be distributed by Wednesday 27 January 2027") as refused:
        services.minutes_distribute(minutes=approved, actor=chair.user)
    assert refused.value.field == "late_reason"
    services.minutes_distribute(minutes=approved, actor=chair.user, late_reason="The chair was ill")
    approved.refresh_from_db()
    assert approved.distribution_late_reason == "The chair was ill"
    assert AuditEvent.objects.get(code="minutes.distributed").detail["late_reason"] == "The chair was ill"


def test_distributing_twice_says_when_it_was_done(approved, chair):
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    with pytest.raises(MinutesError, match="already distributed on Friday 8 January 2027"):
        services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 11))
    assert Distribution.objects.count() == 3


def test_the_email_links_to_the_copy_and_names_no_child(approved, chair, parent, family):
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    email = OutboundEmail.objects.get(to_email=parent.email, subject__startswith="Final minutes")
    assert reverse("minutes:copy", args=[approved.meeting.pk]) in email.body
    child_name = family.children.get().person.full_name
    assert child_name not in email.subject and child_name not in email.body
    assert email.calendar == ""
    assert email.attachment == ""  # by default the PDF stays in Confer: the email only links to it


def test_a_recipient_downloads_only_their_own_copy_and_each_download_is_audited(
    client, approved, chair, parent, officer, held_meeting
):
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    url = reverse("minutes:copy", args=[held_meeting.pk])
    client.force_login(parent.user)
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    assert f"copy for {parent.full_name}" in text and officer.full_name not in text.split("copy for")[1]
    copy = Distribution.objects.get(person=parent)
    assert copy.first_opened_at is not None
    first = copy.first_opened_at
    client.get(url)
    copy.refresh_from_db()
    assert copy.first_opened_at == first
    assert AuditEvent.objects.filter(code="minutes.copy_downloaded", actor=parent.user).count() == 2
    # Someone who was sent nothing, and another family, get the same 404.
    _other_family, other_parent = factories.family_with_parent(surname="Otherfamily")
    client.force_login(other_parent.user)
    assert client.get(url).status_code == 404


def test_the_chair_distributes_from_the_page_giving_a_reason_when_late(client, approved, chair, time_machine):
    time_machine.move_to(local(2027, 1, 28, 9))
    client.force_login(chair.user)
    overview = reverse("minutes:overview", args=[approved.meeting.pk])
    page = client.get(overview).content.decode()
    assert "Send the final minutes" in page and "Why the minutes are late" in page
    url = reverse("minutes:distribute", args=[approved.meeting.pk])
    refused = client.post(url, follow=True).content.decode()
    assert "Give the reason they are late" in refused
    assert not Distribution.objects.exists()
    done = client.post(url, {"late_reason": "The chair was ill"}, follow=True).content.decode()
    assert "Each of 3 people has their own copy. 3 emailed." in done
    assert "Who was sent a copy" in done


def test_only_the_chair_distributes(client, approved, administrator, officer):
    url = reverse("minutes:distribute", args=[approved.meeting.pk])
    for person in (administrator, officer):
        client.force_login(person.user)
        assert client.post(url).status_code == 403
    assert not Distribution.objects.exists()


def test_the_pdf_travels_by_email_only_when_the_setting_says_so(approved, chair, parent, settings):
    settings.CONFER_ATTACH_MINUTES_PDF = True
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    email = OutboundEmail.objects.get(to_email=parent.email, subject__startswith="Final minutes")
    assert "Your copy is attached" in email.body
    parts = [part for part in build_email(email).message().walk() if part.get_content_type() == "application/pdf"]
    [attached] = parts
    assert attached.get_filename() == f"minutes-{approved.meeting.reference}.pdf"
    copy = Distribution.objects.get(person=parent)
    assert hashlib.sha256(attached.get_payload(decode=True)).hexdigest() == copy.sha256


def test_a_copy_for_someone_with_no_email_address_is_never_called_sent(client, approved, chair, officer, time_machine):
    """A young person with no email address was listed as 'Sent' and counted among those the
    minutes had 'gone to', though no email went."""
    officer.email = ""
    officer.save(update_fields=["email"])
    time_machine.move_to(local(2027, 1, 18, 9))
    client.force_login(chair.user)
    url = reverse("minutes:distribute", args=[approved.meeting.pk])
    done = " ".join(client.post(url, follow=True).content.decode().split())
    assert "Each of 3 people has their own copy. 2 emailed." in done
    assert f"Not emailed, as they have no email address: {officer.full_name}." in done
    assert "Not emailed</strong> No email address" in done
    assert OutboundEmail.objects.filter(to_email="", key__contains="distribut").count() == 0
