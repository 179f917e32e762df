"""Helpers the browser tests share."""

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
