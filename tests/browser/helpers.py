"""Helpers the browser tests share."""

import functools
import re
from pathlib import Path

import pyphen
from allauth.account.models import EmailAddress

from participants.mfa import current_code

PASSWORD = "a-test-password-123"


def verified(person):
    """Give a person's login a verified email address, as allauth expects for sign-in."""

    EmailAddress.objects.create(user=person.user, email=person.user.email, primary=True, verified=True)
    return person


def sign_in(page, live_server, person, *, totp: bool):
    """Sign in through the real pages; staff also enter their authenticator code."""

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(person.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if totp:
        page.get_by_label("Code from your authenticator app").fill(current_code(person.totp_secret))
        page.get_by_role("button", name="Sign in", exact=True).click()
    return page


# --- accessibility -------------------------------------------------------------------------

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"moderate", "serious", "critical"}
DESK, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journey"


def axe_violations(page) -> list[str]:
    """axe-core's violations of impact moderate or above on the page as it is now, one line
    each. The script is evaluated through the browser's debugging channel, so the page's
    Content Security Policy (no inline scripts) does not have to be loosened for it."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',"
        " 'best-practice'], resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    return [f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}" for v in result if v["impact"] in SERIOUS]


def page_overflow(page) -> int:
    """How far the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


class Looker:
    """Checks every page a journey visits: axe finds nothing moderate or worse, the
    language is set, headings do not skip a level; and saves a screenshot of each step. For
    a person who also uses a phone, the same page is laid out again at 390 x 844 and must
    not scroll sideways (axe runs on the desk layout only, to keep the suite fast; at phone
    width the check is the page's width and the screenshot)."""

    def __init__(self) -> None:
        self.count = 0
        self.problems: list[str] = []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str, *, phone: bool = False) -> None:
        self.count += 1
        stem = f"{self.count:02d}-{name}"
        self._check(page, f"{stem} (desk)")
        page.screenshot(path=SCREENSHOTS / f"{stem}-desk.png", full_page=True)
        if phone:
            page.set_viewport_size(PHONE)
            overflow = page_overflow(page)
            if overflow > 0:
                self.problems.append(f"{stem} (phone): the page is {overflow}px wider than the window")
            page.screenshot(path=SCREENSHOTS / f"{stem}-phone.png", full_page=True)
            page.set_viewport_size(DESK)

    def _check(self, page, where: str) -> None:
        self.problems += [f"{where}: {line}" for line in axe_violations(page)]
        if page.evaluate("document.documentElement.lang") != "en-GB":
            self.problems.append(f"{where}: the page's language is not set")
        levels = page.evaluate("[...document.querySelectorAll('main :is(h1, h2, h3, h4)')].map(h => +h.tagName[1])")
        for before, after in zip([1, *levels], levels, strict=False):
            if after > before + 1:
                self.problems.append(f"{where}: heading level {after} follows {before}")
                break


def tab_to(page, locator, *, limit: int = 80) -> None:
    """Press Tab until ``locator`` has the focus, as a keyboard user would reach it, and
    check the focus can be seen (GOV.UK draws a yellow outline or box shadow)."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", target):
            break
    else:
        raise AssertionError(f"Tab never reached {locator}")
    style = page.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }", target
    )
    assert style[0] != "none" or style[2] != "none", f"no visible focus on {locator}: {style}"


# --- plain words -----------------------------------------------------------------------------


@functools.cache
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


def reading_grade(lines: list[str]) -> tuple[float, list[str]]:
    """The Flesch-Kincaid grade of short lines (each heading or button a sentence) and the
    words of more than three syllables in them. A US grade of 4 is a reading age of about
    9 to 10. Syllables are counted from pyphen's hyphenation points, which undercounts a
    little; the long-words list is the stricter half of the check."""
    words = [word for line in lines for word in re.findall(r"[A-Za-z']+", line)]
    syllables = {word: len(_hyphenator().positions(word)) + 1 for word in words}
    grade = 0.39 * len(words) / len(lines) + 11.8 * sum(syllables[w] for w in words) / len(words) - 15.59
    return grade, sorted({word for word, n in syllables.items() if n > 3})


def headings_and_buttons(page) -> list[str]:
    """What a reader scans first on the page: its main headings and its buttons."""
    return page.evaluate(
        "[...document.querySelectorAll('main :is(h1, h2, h3, h4, button, .govuk-button, summary)')]"
        ".map(el => el.innerText.trim()).filter(Boolean)"
    )
