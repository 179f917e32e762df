"""The minutes journey in a real browser."""

from datetime import timedelta

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minutes.enums import MinutesStatus
from minutes.models import Minutes
from participants.enums import StaffRole
from tests import factories
from tests.browser.helpers import sign_in, verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_share_comment_answer_and_approve(new_page, live_server):
    administrator = factories.staff(StaffRole.ADMINISTRATOR)
    chair = verified(factories.staff(StaffRole.CHAIR))
    family, parent = factories.family_with_parent()
    verified(parent)
    now = timezone.now()
    start = now - timedelta(days=1)
    meeting = factories.schedule(
        administrator=administrator, chair=chair, family=family, starts_at=start, now=now - timedelta(days=10)
    )
    factories.invite(meeting, administrator, parent, now=now - timedelta(days=9))
    factories.hold(meeting, chair, now=start + timedelta(hours=2))

    # The chair starts the minutes, writes two sections and shares the draft.
    chair_page = sign_in(new_page(), live_server, chair, totp=True)
    chair_page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    chair_page.get_by_role("link", name="Write or read the minutes").click()
    chair_page.get_by_role("button", name="Start the minutes").click()
    minutes = Minutes.objects.get(meeting=meeting)
    purpose, worries = minutes.sections.get(key="purpose"), minutes.sections.get(key="worries")
    for section, text in (
        (purpose, "To decide whether the children need a plan."),
        (worries, "The children were left alone overnight twice in October."),
    ):
        chair_page.get_by_role("link", name=f"Change {section.heading}").click()
        chair_page.get_by_label("Text").fill(text)
        chair_page.get_by_role("button", name="Save").click()
        expect(chair_page.get_by_text(f"Saved: {section.heading}.")).to_be_visible()
    chair_page.get_by_role("button", name="Share the draft with the family").click()
    expect(chair_page.get_by_text("The draft is shared.")).to_be_visible()

    # The parent reads the draft and comments on both sections.
    parent_page = sign_in(new_page(), live_server, parent, totp=False)
    parent_page.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
    expect(parent_page.get_by_text("Send your comments by")).to_be_visible()
    for section, text in (
        (purpose, "It was one child, not the children."),
        (worries, "I was at the hospital with my mother, the neighbour looked after them."),
    ):
        block = parent_page.locator(f"#section-{section.pk}")
        block.get_by_text("Comment on this part").click()
        block.get_by_label("Your comment").fill(text)
        block.get_by_role("button", name="Send comment").click()
        expect(parent_page.get_by_text("Your comment has been sent to the chair.")).to_be_visible()
    # She has said all she wants to: her word lets the chair finish before the deadline.
    parent_page.get_by_role("button", name="I have no more comments").click()
    expect(parent_page.get_by_text("the chair will answer the comments you have sent")).to_be_visible()
    parent_page.get_by_role("button", name="Yes, I have no more comments").click()
    expect(parent_page.get_by_text("You told us you have no more comments.")).to_be_visible()

    # The chair accepts the first with an amendment and declines the second with a reason.
    chair_page.reload()
    first, second = minutes.comments.order_by("id")
    chair_page.locator(f"#comment-{first.pk}").get_by_role("link", name="Answer").click()
    chair_page.get_by_label("Yes: amend the minutes").check()
    chair_page.get_by_label("The section with your amendment").fill("To decide whether the child needs a plan.")
    chair_page.get_by_role("button", name="Save the answer").click()
    expect(chair_page.get_by_text("Your answer is saved")).to_be_visible()
    chair_page.locator(f"#comment-{second.pk}").get_by_role("link", name="Answer").click()
    chair_page.get_by_label("No: keep the family's view in the final record").check()
    chair_page.get_by_label("Your answer to the family").fill("The police log records no adult present.")
    chair_page.get_by_role("button", name="Save the answer").click()
    chair_page.get_by_role("button", name="Approve the minutes").click()
    expect(chair_page.get_by_text("The minutes are approved (version 1).")).to_be_visible()
    expect(chair_page.get_by_role("heading", name="Comments from the family that were not accepted")).to_be_visible()

    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED
    version = minutes.versions.get()
    assert "To decide whether the child needs a plan." in version.content
    assert "The family said: I was at the hospital with my mother" in version.content
    assert "The police log records no adult present." in version.content

    # The parent sees the answers.
    parent_page.reload()
    expect(parent_page.locator(f"#comment-{first.pk}").get_by_text("Accepted")).to_be_visible()
    expect(
        parent_page.locator(f"#comment-{second.pk}").get_by_text("The police log records no adult present.")
    ).to_be_visible()
    parent_page.screenshot(path="test-results/minutes-parent.png", full_page=True)
    chair_page.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/history/")
    # "the children need" became "the child needs": two tracked word changes.
    expect(chair_page.locator(".confer-diff del")).to_have_text(["children", "need"])
    expect(chair_page.locator(".confer-diff ins")).to_have_text(["child", "needs"])
    chair_page.screenshot(path="test-results/minutes-history.png", full_page=True)

    # The chair distributes; the parent downloads their own copy, a PDF with their name on
    # every page; the meeting is now minuted.
    chair_page.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
    chair_page.get_by_role("button", name="Distribute the minutes").click()
    expect(chair_page.get_by_text("Each of 2 people has their own copy. 2 emailed.")).to_be_visible()
    parent_page.reload()
    with parent_page.expect_download() as download:
        parent_page.get_by_role("link", name="Download your copy (PDF)").click()
    copy = pypdf.PdfReader(download.value.path())
    assert all(f"copy for {parent.full_name}" in page.extract_text() for page in copy.pages)
    assert "The police log records no adult present." in "".join(page.extract_text() for page in copy.pages)
    parent_page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    expect(parent_page.get_by_role("definition").filter(has_text="Minuted")).to_be_visible()
    parent_page.screenshot(path="test-results/minutes-distributed-parent.png", full_page=True)
