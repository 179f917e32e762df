"""A parent and a chair sign in through the real pages and see their start pages."""

import re

import pytest
from playwright.sync_api import expect

from participants.enums import StaffRole
from participants.mfa import current_code
from tests import factories
from tests.browser.helpers import PASSWORD, verified
from tests.factories import local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_govuk_styles(page):
    body_font = page.evaluate("getComputedStyle(document.querySelector('.govuk-header')).fontFamily")
    assert "arial" in body_font.lower()
    assert "GDS Transport" not in body_font
    header_bg = page.evaluate("getComputedStyle(document.querySelector('.govuk-header')).backgroundColor")
    assert header_bg not in ("rgba(0, 0, 0, 0)", "transparent")
    # GOV.UK Frontend's JavaScript ran (loaded as files under the CSP).
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_parent_signs_in_and_sees_their_meetings(page, live_server, csp_violations):
    administrator = factories.staff(StaffRole.ADMINISTRATOR)
    chair = factories.staff(StaffRole.CHAIR)
    family, parent = factories.family_with_parent()
    verified(parent)
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 3, 1))
    factories.invite(meeting, administrator, parent)

    sign_in(page, live_server, parent.user.email)
    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    expect(page.get_by_text(meeting.reference)).to_be_visible()
    assert_govuk_styles(page)
    expect(page.get_by_text("Tell us if you can come to the conference on Monday 1 March.")).to_be_visible()
    page.get_by_role("button", name="Tell us if you can come").click()
    expect(page.get_by_role("heading", name="Initial child protection conference")).to_be_visible()
    assert csp_violations == []


def test_chair_signs_in_with_authenticator_code_and_sees_their_work(page, live_server, csp_violations):
    administrator = factories.staff(StaffRole.ADMINISTRATOR)
    chair = verified(factories.staff(StaffRole.CHAIR))
    family, _ = factories.family_with_parent()
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 3, 1))

    sign_in(page, live_server, chair.user.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code from your authenticator app").fill(current_code(chair.totp_secret))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Meetings you chair")).to_be_visible()
    expect(page.get_by_role("cell", name="Hold the meeting")).to_be_visible()
    expect(page.get_by_text(meeting.reference)).to_be_visible()
    assert_govuk_styles(page)
    page.screenshot(path="test-results/chair-start-page.png", full_page=True)
    assert csp_violations == []
