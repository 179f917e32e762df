"""A police officer presses "Accept" in Outlook; the reply reaches the service mailbox (a
real IMAP server), is read, and the meeting page shows the answer and where it came from."""

import pytest
from playwright.sync_api import expect

from meetings import invites
from meetings.replies import mail_fetch
from participants.enums import StaffRole
from tests import factories
from tests.browser.helpers import Looker, sign_in, verified
from tests.imap import ImapServer
from tests.meetings.test_replies import outlook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_answer_from_outlook_shows_on_the_meeting_page(new_page, live_server, settings):
    server = ImapServer()
    try:
        server.empty_folders()
        settings.CONFER_MAILBOX = server.config
        administrator = verified(factories.staff(StaffRole.ADMINISTRATOR))
        chair = factories.staff(StaffRole.CHAIR)
        family, _parent = factories.family_with_parent()
        meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
        officer = factories.PersonFactory(full_name="Pat Constable", email="pat.constable@police.test")
        factories.invite(meeting, administrator, officer, "professional")
        invites.invitations_send(meeting=meeting, actor=administrator.user)
        meeting.refresh_from_db()
        server.deliver(outlook(meeting, "pat.constable@police.test"))
        assert mail_fetch().applied == 1
    finally:
        server.stop()
    page = sign_in(new_page(), live_server, administrator, totp=True)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    row = page.get_by_role("row", name="Pat Constable Professional")
    expect(row).to_contain_text("Attending")
    expect(row).to_contain_text("from their calendar")
    look = Looker()
    look(page, "meeting-calendar-reply", phone=True)
    assert look.problems == []
