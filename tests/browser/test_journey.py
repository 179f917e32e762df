"""The whole journey in a real browser, as each person would take it.

An administrator schedules an initial conference for two siblings and invites both parents
(separate households), the 14-year-old, a police officer and a health visitor. The mother
answers from the emailed link, signing in with a code; the police officer sends a report.
The chair holds the meeting, records the decision, writes the minutes with a neighbour's
information (no consent) and a part withheld from the father, and shares the draft. The
mother comments on two parts, the young person says "no comments"; the chair accepts one
comment and declines the other, approves and distributes; each recipient opens their own
copy; the manager's dashboard counts the meeting as on time.

Every email is read from the test outbox and its link followed. Every page visited is
checked with axe-core and photographed (``test-results/journey/``); the mother's pages are
laid out again at phone width; the key forms are filled with the keyboard alone.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from meetings.models import Meeting
from minutes.models import Minutes
from participants.enums import AgencyKind, Consent, Relationship, StaffRole
from participants.mfa import current_code
from participants.models import FamilyMember, ThirdPartySource
from tests import factories
from tests.browser.helpers import (
    DESK,
    PASSWORD,
    PHONE,
    Looker,
    axe_violations,
    headings_and_buttons,
    page_overflow,
    reading_grade,
    tab_to,
    verified,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JERSEY = ZoneInfo("Europe/Jersey")
NEIGHBOUR_SAID = "NEIGHBOUR-HEARD-SHOUTING"
NOT_FOR_FATHER = "WITHHELD-FROM-THE-FATHER"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JERSEY)


def in_words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def journey_dates() -> tuple[date, date, date]:
    """(the Monday it starts, the strategy discussion the Friday before, the conference on
    the Wednesday after), from the next Monday after today: time only travels forward, so
    the cookies the browser keeps are never already out of date by its own clock."""
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday - timedelta(days=3), monday + timedelta(days=9)


class People:
    """Everyone in the journey, each with their own browser context."""

    def __init__(self, browser, live_server, look: Looker):
        self.browser, self.url, self.look = browser, live_server.url, look
        self.contexts = []

    def page(self):
        context = self.browser.new_context(viewport=DESK)
        self.contexts.append(context)
        return context.new_page()

    def sign_in_staff(self, page, person) -> None:
        page.goto(self.url + "/accounts/login/")
        page.get_by_label("Email").fill(person.user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_label("Code from your authenticator app").fill(current_code(person.totp_secret))
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", name="Your work")).to_be_visible()

    def sign_in_by_code(self, page, person, *, keyboard: bool = False, phone: bool = False) -> None:
        """From the sign-in page a link led to: ask for a code, read it from the email."""
        self.look(page, "sign-in", phone=phone)
        page.get_by_role("link", name="Send me a sign-in code").click()
        sent = len(mail.outbox)
        if keyboard:
            tab_to(page, page.get_by_label("Email"))
            page.keyboard.type(person.user.email)
            page.keyboard.press("Enter")
        else:
            page.get_by_label("Email").fill(person.user.email)
            page.get_by_role("button", name=re.compile("code", re.I)).click()
        expect(page.get_by_label(re.compile("code", re.I))).to_be_visible()
        self.look(page, "enter-code", phone=phone)
        [message] = [m for m in mail.outbox[sent:] if m.to == [person.user.email]]
        code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", message.body).group(1)
        if keyboard:
            tab_to(page, page.get_by_label(re.compile("code", re.I)))
            page.keyboard.type(code)
            page.keyboard.press("Enter")
        else:
            page.get_by_label(re.compile("code", re.I)).fill(code)
            page.get_by_role("button", name="Confirm").click()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def emails_to(person, since: int = 0) -> list:
    return [m for m in mail.outbox[since:] if person.email in m.to]


def link_in(message) -> str:
    return re.search(r"https?://\S+?(?=[\s)]|$)", message.body).group(0).rstrip(".")


@pytest.fixture
def people(browser, live_server, settings):
    settings.CONFER_BASE_URL = live_server.url  # the links in emails lead to this server
    everyone = People(browser, live_server, Looker())
    yield everyone
    everyone.close()


def test_the_whole_journey(people, time_machine):
    look = people.look
    monday, strategy, conference = journey_dates()
    time_machine.move_to(at(monday, 9), tick=True)
    administrator = verified(factories.staff(StaffRole.ADMINISTRATOR))
    chair = verified(factories.staff(StaffRole.CHAIR))
    manager = verified(factories.staff(StaffRole.MANAGER))
    family, mother = factories.family_with_parent(children=0, surname="Journey")
    verified(mother)
    father = verified(factories.PersonFactory(full_name="Frank Journey", user=factories.UserFactory()))
    FamilyMember.objects.create(
        family=family, person=father, relationship=Relationship.PARENT, has_parental_responsibility=True
    )
    teen = factories.ChildFactory(
        family=family,
        date_of_birth=monday - timedelta(days=14 * 365 + 30),  # 14 years old
        person__full_name="Tia Journey",
        person__user=factories.UserFactory(),
    ).person
    verified(teen)
    young = monday - timedelta(days=7 * 365)
    factories.ChildFactory(family=family, date_of_birth=young, person__full_name="Ben Journey")
    officer = verified(
        factories.PersonFactory(
            full_name="Pat Constable",
            user=factories.UserFactory(),
            agency=factories.AgencyFactory(name="States of Jersey Police", kind=AgencyKind.POLICE),
        )
    )
    visitor = verified(
        factories.PersonFactory(
            full_name="Hana Visitor",
            user=factories.UserFactory(),
            agency=factories.AgencyFactory(name="Family Nursing", kind=AgencyKind.HEALTH),
        )
    )
    for person in (mother, father, teen, officer, visitor):
        person.email = person.user.email
        person.save()
    ThirdPartySource.objects.create(family=family, name="A neighbour", consent=Consent.REFUSED)

    # --- The administrator schedules the conference and invites everyone -------------------
    admin = people.page()
    people.sign_in_staff(admin, administrator)
    look(admin, "administrator-start")
    admin.get_by_role("link", name="Families").click()
    admin.get_by_label("Case reference, child identifier or name").fill(family.reference)
    admin.get_by_role("button", name="Search").click()
    look(admin, "families", phone=True)
    admin.get_by_role("link", name=f"Schedule a meeting for {family.reference}").click()
    admin.get_by_label("Initial child protection conference").check()
    admin.get_by_label("Tia Journey").check()
    admin.get_by_label("Ben Journey").check()
    admin.get_by_label("Chair", exact=True).select_option(label=chair.full_name)
    admin.get_by_label("Date of the strategy discussion").fill(strategy.isoformat())
    admin.get_by_label("Date and start time").fill(f"{conference.isoformat()}T10:00")
    admin.get_by_label("Venue").fill("Room 1, Cyril Le Marquand House")
    look(admin, "schedule")
    admin.get_by_role("button", name="Schedule and choose who to invite").click()
    expect(admin.get_by_role("heading", name="Who is invited")).to_be_visible()
    meeting = Meeting.objects.get()
    admin.get_by_label(mother.full_name).check()
    admin.get_by_label(father.full_name).check()
    admin.get_by_label(teen.full_name).check()
    admin.get_by_label(re.compile("I have checked that inviting each young person")).check()
    admin.locator("form:has(input[value=family])").get_by_role("button", name="Add to the meeting").click()
    for person, agency in ((officer, "States of Jersey Police"), (visitor, "Family Nursing")):
        admin.get_by_label("Professional", exact=True).check()
        admin.get_by_label("Someone Confer already knows").select_option(label=f"{person.full_name}, {agency}")
        admin.locator("form:has(input[value=other])").get_by_role("button", name="Add to the meeting").click()
        expect(admin.get_by_role("cell", name=f"{person.full_name}, {agency}")).to_be_visible()
    look(admin, "invite", phone=True)
    sent = len(mail.outbox)
    admin.get_by_role("button", name="Send invitations").first.click()
    expect(admin.get_by_text("Invitations sent to 6 people.")).to_be_visible()
    look(admin, "meeting-scheduled", phone=True)
    invitation_to = {m.to[0]: m for m in mail.outbox[sent:]}
    assert set(invitation_to) == {p.email for p in (chair, mother, father, teen, officer, visitor)}
    assert all("Journey" not in m.subject for m in invitation_to.values())  # no child's name in subjects

    # --- The mother follows the emailed link, signs in with a code, keyboard only ---------
    mum = people.page()
    mum.goto(link_in(invitation_to[mother.email]))
    people.sign_in_by_code(mum, mother, keyboard=True, phone=True)
    expect(mum.get_by_role("heading", name="Initial child protection conference")).to_be_visible()
    look(mum, "mother-meeting", phone=True)
    # Sending the reply without an answer: the error summary leads to the question.
    mum.get_by_role("button", name="Send reply").click()
    summary_link = mum.locator(".govuk-error-summary a").first
    expect(summary_link).to_be_visible()
    look(mum, "mother-reply-error", phone=True)
    summary_link.click()
    assert mum.evaluate("document.activeElement.name") == "rsvp"
    tab_to(mum, mum.get_by_label("Yes, I can come"))
    mum.keyboard.press("Space")
    tab_to(mum, mum.get_by_role("button", name="Send reply"))
    mum.keyboard.press("Enter")
    expect(mum.get_by_text("Your reply has been saved")).to_be_visible()
    look(mum, "mother-replied", phone=True)
    assert meeting.invitations.get(person=mother).rsvp == "accepted"

    # --- The police officer sends a report ---------------------------------------------------
    police = people.page()
    police.goto(link_in(invitation_to[officer.email]))
    people.sign_in_by_code(police, officer)
    police.get_by_role("link", name="Submit or change your agency's report").click()
    police.get_by_label("Your report").fill("Two call-outs to the address in October; no arrests.")
    police.get_by_label("The family may read this report").check()
    look(police, "police-report")
    police.get_by_role("button", name=re.compile("Send|Submit")).click()
    expect(police.get_by_text("Two call-outs to the address")).to_be_attached()
    look(police, "police-report-sent")

    # --- The meeting day: the chair records it as held, with the decision ------------------
    time_machine.move_to(at(conference, 12, 30), tick=True)
    chair_page = people.page()
    people.sign_in_staff(chair_page, chair)
    look(chair_page, "chair-start", phone=True)
    chair_page.get_by_role("link", name=meeting.reference).click()
    chair_page.get_by_role("link", name="Record the meeting as held").click()
    for attended in chair_page.get_by_label("Attended", exact=True).all():
        attended.check()
    for child in ("Tia Journey", "Ben Journey"):
        chair_page.get_by_role("group", name=f"Does {child} need a child protection plan?").get_by_label("Yes").check()
        chair_page.get_by_label(f"Category of the plan for {child}").select_option(label="Neglect")
    look(chair_page, "hold")
    chair_page.get_by_role("button", name="Record as held").click()
    expect(chair_page.get_by_role("definition").filter(has_text="Held")).to_be_visible()
    look(chair_page, "meeting-held")

    # The minutes: a neighbour's information (no consent) and a part withheld from the father.
    chair_page.get_by_role("link", name="Write or read the minutes").click()
    chair_page.get_by_role("button", name="Start the minutes").click()
    minutes = Minutes.objects.get(meeting=meeting)
    texts = {
        "purpose": "To decide whether Tia and Ben need child protection plans.",
        "worries": f"{NEIGHBOUR_SAID}: a neighbour heard shouting most nights in October.",
        "parents_views": f"{NOT_FOR_FATHER}: the mother said she is frightened of the father.",
    }
    for key, text in texts.items():
        section = minutes.sections.get(key=key)
        chair_page.get_by_role("link", name=f"Change {section.heading}", exact=True).click()
        chair_page.get_by_label("Text").fill(text)
        chair_page.get_by_role("button", name="Save").click()
        expect(chair_page.get_by_text(f"Saved: {section.heading}.")).to_be_visible()
    worries, views = minutes.sections.get(key="worries"), minutes.sections.get(key="parents_views")
    chair_page.get_by_role("link", name=re.compile(rf"Who may read this\s*:\s*{re.escape(worries.heading)}")).click()
    chair_page.get_by_label("Information from a third party").select_option(index=1)  # the neighbour
    look(chair_page, "restrict")
    chair_page.get_by_role("button", name="Save").click()
    chair_page.get_by_role("link", name=re.compile(rf"Who may read this\s*:\s*{re.escape(views.heading)}")).click()
    chair_page.get_by_label(re.compile(father.full_name)).check()
    chair_page.get_by_role("button", name="Save").click()
    look(chair_page, "draft")
    sent = len(mail.outbox)
    chair_page.get_by_role("button", name="Share the draft with the family").click()
    expect(chair_page.get_by_text("The draft is shared.")).to_be_visible()
    look(chair_page, "draft-shared")
    shared_to = {m.to[0]: m for m in mail.outbox[sent:]}
    assert {mother.email, father.email, teen.email} <= set(shared_to)

    # --- The next day: the mother comments on two parts, on her phone ------------------------
    time_machine.move_to(at(conference + timedelta(days=1), 19), tick=True)
    mum = people.page()
    mum.set_viewport_size(PHONE)
    mum.goto(link_in(shared_to[mother.email]))
    people.sign_in_by_code(mum, mother, phone=True)
    mum.goto(people.url + "/home/")
    expect(mum.get_by_text(f"Draft minutes of the conference on {in_words(conference)} are ready")).to_be_visible()
    expect(mum.get_by_text("The chair will send the final minutes by")).to_be_visible()
    look(mum, "mother-start-draft", phone=True)
    mum.get_by_role("button", name="Read the draft minutes").click()
    # The click starts a navigation; read the page only once the draft is there (read at once,
    # the page can still be between documents and its content empty).
    expect(mum.locator(f"#section-{views.pk}")).to_be_attached()
    page_text = mum.content()
    assert NEIGHBOUR_SAID not in page_text  # a third party's information without consent
    assert NOT_FOR_FATHER in page_text  # withheld from the father, not from her
    look(mum, "mother-draft", phone=True)
    for section, text in (
        (minutes.sections.get(key="purpose"), "Ben is my stepson, not my son."),
        (views, "I said I was worried, not frightened."),
    ):
        block = mum.locator(f"#section-{section.pk}")
        tab_to(mum, block.locator("summary"))
        mum.keyboard.press("Enter")
        tab_to(mum, block.get_by_label("Your comment"))
        mum.keyboard.type(text)
        tab_to(mum, block.get_by_role("button", name=re.compile("Send comment")))
        mum.keyboard.press("Enter")
        expect(mum.get_by_text("Your comment has been sent to the chair.")).to_be_visible()
    assert page_overflow(mum) == 0
    look(mum, "mother-commented", phone=True)
    mum.set_viewport_size(DESK)

    # The father reads his copy of the draft: what was withheld from him is not there.
    dad = people.page()
    dad.goto(link_in(shared_to[father.email]))
    people.sign_in_by_code(dad, father)
    dad.goto(f"{people.url}/meetings/{meeting.pk}/minutes/")
    assert NOT_FOR_FATHER not in dad.content() and NEIGHBOUR_SAID not in dad.content()
    look(dad, "father-draft")

    # The young person has no comments: plain words.
    tia = people.page()
    tia.goto(link_in(shared_to[teen.email]))
    people.sign_in_by_code(tia, teen)
    tia.goto(people.url + "/home/")
    expect(
        tia.get_by_text(f"Read the notes of the meeting on {in_words(conference)} and tell us what you think")
    ).to_be_visible()
    look(tia, "young-person-start")
    plain = headings_and_buttons(tia)
    tia.get_by_role("button", name="Read the notes").click()
    look(tia, "young-person-notes")
    plain += headings_and_buttons(tia)
    grade, long_words = reading_grade(plain)
    assert grade <= 4 and long_words == [], (grade, long_words, plain)
    tia.get_by_role("button", name="I have no comments").click()
    tia.get_by_role("button", name="Yes, I have no comments").click()  # having read what it means
    expect(tia.get_by_text(re.compile("no comments", re.I)).first).to_be_visible()
    look(tia, "young-person-answered")

    # The chair accepts one comment and declines the other, answering with the keyboard.
    people.sign_in_staff(chair_page, chair)
    chair_page.goto(f"{people.url}/meetings/{meeting.pk}/minutes/")
    look(chair_page, "chair-comments")
    first, second = minutes.comments.order_by("id")
    chair_page.locator(f"#comment-{first.pk}").get_by_role("link", name="Answer").click()
    tab_to(chair_page, chair_page.get_by_label("Yes: amend the minutes"))
    chair_page.keyboard.press("Space")
    tab_to(chair_page, chair_page.get_by_label("The section with your amendment"))
    chair_page.keyboard.press("Control+A")
    chair_page.keyboard.type("To decide whether Tia and her stepbrother Ben need child protection plans.")
    look(chair_page, "answer")
    tab_to(chair_page, chair_page.get_by_role("button", name="Save the answer"))
    chair_page.keyboard.press("Enter")
    expect(chair_page.get_by_text("Your answer is saved")).to_be_visible()
    chair_page.locator(f"#comment-{second.pk}").get_by_role("link", name="Answer").click()
    chair_page.get_by_label("No: keep the family's view in the final record").check()
    chair_page.get_by_label("Your answer to the family").fill("The minute-taker's notes record the word frightened.")
    chair_page.get_by_role("button", name="Save the answer").click()
    expect(chair_page.get_by_text("Your answer is saved")).to_be_visible()
    # The decision letter goes the working day after the conference.
    chair_page.goto(f"{people.url}/meetings/{meeting.pk}/minutes/decision-letter/")
    chair_page.get_by_label("Lead social worker").fill("Sam Worker")
    look(chair_page, "decision-letter")
    chair_page.get_by_role("button", name="Send the decision letter").click()

    # --- After the comment window: approve and distribute -------------------------------------
    # The morning after the comment window closed (its date depends on the holidays).
    minutes.refresh_from_db()
    sent_on = timezone.localtime(minutes.comment_deadline).date() + timedelta(days=1)
    time_machine.move_to(at(sent_on, 9), tick=True)
    people.sign_in_staff(chair_page, chair)
    chair_page.goto(f"{people.url}/meetings/{meeting.pk}/minutes/")
    chair_page.get_by_role("button", name="Approve the minutes").click()
    expect(chair_page.get_by_text(re.compile(r"The minutes are approved \(version 1\)"))).to_be_visible()
    look(chair_page, "approved")
    sent = len(mail.outbox)
    chair_page.get_by_role("button", name="Distribute the minutes").click()
    expect(chair_page.get_by_text(re.compile("people has their own copy"))).to_be_visible()
    look(chair_page, "distributed", phone=True)

    # Each recipient follows the emailed link to their own copy; the health visitor opens
    # Confer for the first time now.
    health = people.page()
    for person, page, name in (
        (mother, mum, "mother"),
        (father, dad, "father"),
        (teen, tia, "young-person"),
        (officer, police, "police"),
        (visitor, health, "health-visitor"),
        (chair, chair_page, "chair"),
    ):
        [message] = emails_to(person, sent)
        if person is not chair:
            page.goto(people.url + "/home/")
            if "/accounts/login/" in page.url:  # signed out while away: sign in again by code
                people.sign_in_by_code(page, person, phone=person is mother)
            sent_words = re.compile(f"(final minutes|finished notes) were sent on {in_words(sent_on)}")
            expect(page.get_by_text(sent_words)).to_be_visible()
            look(page, f"{name}-start-final", phone=person is mother)
        with page.expect_download() as download:
            try:
                page.goto(link_in(message))  # the email's link is the copy itself
            except PlaywrightError as error:
                assert "Download is starting" in str(error)
        text = "".join(p.extract_text() for p in pypdf.PdfReader(download.value.path()).pages)
        assert f"copy for {person.full_name}" in text
        assert (NEIGHBOUR_SAID in text) == (person in (officer, visitor, chair)), name
        assert (NOT_FOR_FATHER in text) == (person is not father), name
    mum.goto(f"{people.url}/meetings/{meeting.pk}/")
    expect(mum.locator(".confer-timeline")).to_contain_text("Final minutes sent")
    look(mum, "mother-timeline", phone=True)

    # --- The manager's dashboard counts the meeting as on time ---------------------------------
    boss = people.page()
    people.sign_in_staff(boss, manager)
    boss.get_by_role("link", name="Timeliness of meetings, drafts, letters and minutes").click()
    expect(boss.get_by_text("Meetings held in the period: 1")).to_be_visible()
    for label in (
        "Initial conferences within 15 working days",
        "Drafts shared within 10 working days",
        "Decision letters the next working day",
        "Minutes distributed within 15 working days",
    ):
        row = boss.locator("#totals .govuk-summary-list__row").filter(has_text=label)
        expect(row).to_contain_text("1 of 1 on time (100%)")
    look(boss, "dashboard")

    assert people.look.problems == []


def test_the_checks_find_what_they_look_for(new_page):
    """The journey's checks are only worth their silence if they speak up: axe reports an
    image without text and an unlabelled field, and a page wider than a phone is measured."""
    page = new_page()
    page.set_content('<html lang="en-GB"><body><main><h1>T</h1><img src="x.png"><input></main></body></html>')
    found = " ".join(axe_violations(page))
    assert "image-alt (critical)" in found and "label (critical)" in found
    page.set_viewport_size(PHONE)
    page.set_content('<html lang="en-GB"><body><div style="width: 460px">wide</div></body></html>')
    assert page_overflow(page) == 8 + 460 - 390  # the body's 8px margin, then the 460px block
    # The reading-age check tells the staff's headings from the young person's.
    staff = ["Purpose of the conference", "What are we worried about? Harm and complicating factors"]
    assert reading_grade(staff)[1] == ["complicating"]
    grade, long_words = reading_grade(["Why we met", "What people are worried about", "I have no comments"])
    assert grade <= 4 and long_words == []
