"""The scheduling journey in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from meetings.enums import InvitationRole, Rsvp
from meetings.models import Meeting
from notifications.models import OutboundEmail
from participants.enums import StaffRole
from tests import factories
from tests.browser.helpers import sign_in, verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(new_page, live_server, person, *, totp: bool, violations: list):
    page = new_page()
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    sign_in(page, live_server, person, totp=totp)
    expect(page.get_by_role("heading", name=re.compile("Your (work|meetings)"))).to_be_visible()
    return page


def test_schedule_invite_accept_reschedule(new_page, live_server):
    csp_violations = []
    administrator = verified(factories.staff(StaffRole.ADMINISTRATOR))
    chair = verified(factories.staff(StaffRole.CHAIR))
    family, parent = factories.family_with_parent()
    verified(parent)
    officer = factories.PersonFactory(
        full_name="Pat Constable", email="pat@police.test", agency=factories.AgencyFactory(name="Police")
    )

    # The administrator finds the family and schedules an initial conference.
    admin = signed_in(new_page, live_server, administrator, totp=True, violations=csp_violations)
    admin.get_by_role("link", name="Families").click()
    admin.get_by_label("Case reference, child identifier or name").fill(family.reference)
    admin.get_by_role("button", name="Search").click()
    admin.get_by_role("link", name=f"Schedule a meeting for {family.reference}").click()
    admin.get_by_label("Initial child protection conference").check()
    admin.get_by_label("Chair", exact=True).select_option(label=chair.full_name)
    admin.get_by_label("Date of the strategy discussion").fill("2026-12-21")
    admin.get_by_label("Date and start time").fill("2027-01-06T10:00")
    admin.get_by_label("Venue").fill("Room 1, Cyril Le Marquand House")
    admin.get_by_role("button", name="Schedule and choose who to invite").click()
    expect(admin.get_by_role("heading", name="Who is invited")).to_be_visible()
    meeting = Meeting.objects.get()

    # Invite the parent and the police officer, then send the invitations.
    admin.get_by_label(parent.full_name).check()
    admin.locator("form:has(input[value=family])").get_by_role("button", name="Add to the meeting").click()
    admin.get_by_label("Professional", exact=True).check()
    admin.get_by_label("Someone Confer already knows").select_option(label="Pat Constable, Police")
    admin.locator("form:has(input[value=other])").get_by_role("button", name="Add to the meeting").click()
    expect(admin.get_by_role("cell", name="Pat Constable, Police")).to_be_visible()
    admin.get_by_role("button", name="Send invitations").first.click()
    expect(admin.get_by_text("Invitations sent to 3 people.")).to_be_visible()

    # The parent signs in and accepts.
    family_page = signed_in(new_page, live_server, parent, totp=False, violations=csp_violations)
    family_page.get_by_role("button", name="Tell us if you can come").click()
    family_page.get_by_label("Yes, I can come").check()
    family_page.get_by_role("button", name="Send reply").click()
    expect(family_page.get_by_text("Your reply has been saved")).to_be_visible()
    assert meeting.invitations.get(person=parent).rsvp == Rsvp.ACCEPTED

    # The chair moves the meeting to the afternoon.
    chair_page = signed_in(new_page, live_server, chair, totp=True, violations=csp_violations)
    chair_page.get_by_role("link", name=meeting.reference).click()
    chair_page.get_by_role("link", name="Reschedule").click()
    chair_page.get_by_label("Date and start time").fill("2027-01-06T14:00")
    chair_page.get_by_label("Why is it moving?").fill("The chair is in court in the morning")
    chair_page.get_by_role("button", name="Move the meeting and tell everyone").click()
    expect(chair_page.get_by_text("everyone invited has been sent the new time")).to_be_visible()

    # The outbox on the meeting page shows version 0 then 1 to each attendee.
    chair_page.reload()
    outbox = chair_page.locator("#outbox tbody tr")
    expect(outbox).to_have_count(6)
    rows = [outbox.nth(i).locator("td").all_inner_texts() for i in range(6)]
    for name in (chair.full_name, parent.full_name, "Pat Constable"):
        versions = [row[3] for row in rows if row[1] == name]
        assert versions == ["Invitation", "Change 1"], (name, rows)
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 6
    assert meeting.invitations.get(person=officer).role == InvitationRole.PROFESSIONAL
    chair_page.screenshot(path="test-results/meeting-after-reschedule.png", full_page=True)
    assert csp_violations == []
