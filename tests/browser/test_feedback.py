"""A parent's complaint about the record, in a real browser: sent from the minutes page,
acknowledged by email with the date of the answer, invisible to another family, answered
late by a manager, shown late on the dashboard, and read by the parent beside the record."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from minutes import services
from minutes.deadlines import deadlines_sweep
from minutes.models import Feedback
from participants.enums import StaffRole
from tests import factories
from tests.browser.helpers import Looker, sign_in, verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def test_a_parents_complaint_is_acknowledged_answered_late_and_kept_beside_the_record(
    new_page, live_server, settings, time_machine
):
    settings.CONFER_BASE_URL = live_server.url
    look = Looker()
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())  # time only travels forward
    time_machine.move_to(at(monday, 9), tick=True)
    administrator = factories.staff(StaffRole.ADMINISTRATOR)
    chair = factories.staff(StaffRole.CHAIR)
    manager = verified(factories.staff(StaffRole.MANAGER))
    family, parent = factories.family_with_parent(surname="Journey")
    verified(parent)
    _other_family, other_parent = factories.family_with_parent(surname="Otherfamily")
    verified(other_parent)
    meeting = factories.schedule(
        administrator=administrator, chair=chair, family=family, starts_at=at(monday, 11), now=at(monday, 9)
    )
    factories.invite(meeting, administrator, parent, now=at(monday, 9))
    factories.hold(meeting, chair, now=at(monday, 13))
    minutes = services.minutes_start(meeting=meeting, actor=chair.user, now=at(monday, 14))
    services.minutes_share(minutes=minutes, actor=chair.user, now=at(monday, 15))

    # The parent complains about the record, from the minutes page.
    time_machine.move_to(at(monday + timedelta(days=1), 19), tick=True)
    page = sign_in(new_page(), live_server, parent, totp=False)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
    page.get_by_role("link", name="Send a compliment, a comment or a complaint").click()
    look(page, "feedback-form", phone=True)
    page.get_by_label("A complaint").check()
    page.get_by_label("The minutes (the written record)").check()
    page.get_by_label("Which part of the minutes (optional)").select_option(label="Purpose of the conference")
    page.get_by_label("Tell us in your own words").fill("The minutes say I refused to come. I was never asked.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"We have your complaint: its reference is FB-\d{4}-0001"))).to_be_visible()
    look(page, "feedback-sent", phone=True)
    complaint = Feedback.objects.get()
    due = complaint.answer_due_on
    due_words = f"{due:%A} {due.day} {due:%B} {due.year}"
    [acknowledgement] = [m for m in mail.outbox if m.to == [parent.email] and complaint.reference in m.subject]
    assert f"We will answer by {due_words}" in acknowledgement.body
    assert "Journey" not in acknowledgement.subject

    # Another family's parent who guesses the address finds nothing there.
    other = sign_in(new_page(), live_server, other_parent, totp=False)
    response = other.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/feedback/{complaint.pk}/")
    assert response.status == 404 and "The minutes say I refused" not in other.content()

    # The date passes: the sweep reports it late, the dashboard shows it late.
    time_machine.move_to(at(due + timedelta(days=1), 7), tick=True)
    deadlines_sweep()
    boss = sign_in(new_page(), live_server, manager, totp=True)
    boss.goto(f"{live_server.url}/timeliness/")
    expect(boss.locator("#feedback-totals")).to_contain_text("Not answered and past its date 1")
    expect(boss.locator("#overdue")).to_contain_text("Answer the family's feedback")
    look(boss, "dashboard-feedback-late")
    boss.get_by_role("link", name="Feedback", exact=True).click()
    look(boss, "feedback-list")
    boss.get_by_role("link", name=complaint.reference).click()
    boss.get_by_role("button", name="Mark as being looked into").click()
    expect(boss.get_by_text("Being looked into", exact=True)).to_be_visible()
    boss.get_by_label("Your answer to the family").fill("We are sorry: the minutes are wrong and will be corrected.")
    look(boss, "feedback-answer")
    boss.get_by_role("button", name="Send the answer").click()
    expect(boss.get_by_text("Answered late")).to_be_visible()
    boss.goto(f"{live_server.url}/timeliness/")
    expect(boss.locator("#feedback-totals")).to_contain_text("0 of 1 on time, 1 late")

    # The parent is told and reads the answer beside the record.
    [answered] = [m for m in mail.outbox if m.to == [parent.email] and "Our answer" in m.subject]
    page = sign_in(new_page(), live_server, parent, totp=False)
    page.goto(re.search(r"https?://\S+/feedback/\d+/", answered.body).group(0))
    expect(page.get_by_text("We are sorry: the minutes are wrong")).to_be_visible()
    look(page, "feedback-answered", phone=True)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
    expect(page.locator("#feedback")).to_contain_text(f"A complaint {complaint.reference}")
    expect(page.locator("#feedback")).to_contain_text("Answered")
    assert look.problems == []
