"""Signing in: MFA for staff, codes for families, rate limits, idle sessions, audited 404s."""

import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from meetings import invites
from notifications.models import OutboundEmail
from participants.enums import Relationship, StaffRole
from participants.mfa import current_code
from participants.models import FamilyMember
from tests import factories
from tests.access import all_patterns, build_world, url_for
from tests.factories import local

pytestmark = pytest.mark.django_db

PASSWORD = "a-test-password-123"


def with_email_address(user):

    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_staff_without_mfa_are_sent_to_set_it_up_from_every_page(client):
    world = build_world()
    chair = factories.staff(StaffRole.CHAIR, mfa=False)
    client.force_login(chair.user)
    allowed = {
        "mfa_index",
        "mfa_activate_totp",
        "account_logout",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
    }
    checked = 0
    for pattern in all_patterns():
        if pattern.name in allowed:
            continue
        response = client.get(url_for(pattern, world))
        assert response.status_code == 302, pattern.key
        assert response["Location"].startswith("/accounts/2fa/totp/activate/?next="), pattern.key
        checked += 1
    assert checked > 50


def test_staff_set_up_totp_after_signing_in_and_get_recovery_codes(client):

    chair = factories.staff(StaffRole.CHAIR, mfa=False)
    with_email_address(chair.user)
    response = client.post(reverse("account_login"), {"login": chair.user.email, "password": PASSWORD}, follow=True)
    # Signed in, sent to set up MFA, which first asks for the password again.
    assert [url.split("?")[0] for url, _ in response.redirect_chain] == [
        "/home/",
        "/accounts/2fa/totp/activate/",
        "/accounts/reauthenticate/",
    ]
    response = client.post(
        reverse("account_reauthenticate"), {"password": PASSWORD, "next": reverse("mfa_activate_totp")}, follow=True
    )
    page = response.content.decode()
    assert "Authenticator" in page
    secret = re.search(r'value="([A-Z2-7]{16,})"', page).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    types = set(Authenticator.objects.filter(user=chair.user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get(reverse("home")).status_code == 200


def test_family_members_are_not_forced_to_set_up_mfa(client, parent):
    client.force_login(parent.user)
    assert client.get(reverse("home")).status_code == 200


def test_staff_sign_in_with_password_then_authenticator_code(client):
    chair = factories.staff(StaffRole.CHAIR)
    with_email_address(chair.user)
    response = client.post(reverse("account_login"), {"login": chair.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(chair.totp_secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_family_member_signs_in_with_an_emailed_code(client, parent):
    with_email_address(parent.user)
    response = client.post(reverse("account_request_login_code"), {"email": parent.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [parent.user.email]
    code = re.search(r"\b([A-Z0-9]{3,}-?[A-Z0-9]{3,})\b", message.body).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert b"Your meetings" in page.content


def test_a_wrong_login_code_does_not_sign_in(client, parent):
    with_email_address(parent.user)
    client.post(reverse("account_request_login_code"), {"email": parent.user.email})
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG-CODE"})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_the_sixth_wrong_password_in_five_minutes_is_refused_even_when_right(client, parent):
    with_email_address(parent.user)
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": parent.user.email, "password": "wrong-password"})
        assert response.status_code == 200
        assert b"Too many failed login attempts" not in response.content
    response = client.post(reverse("account_login"), {"login": parent.user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_sessions_end_after_thirty_idle_minutes(client, parent, time_machine):
    time_machine.move_to(timezone.now())
    client.force_login(parent.user)
    assert client.get(reverse("home")).status_code == 200
    time_machine.shift(timedelta(minutes=29))
    assert client.get(reverse("home")).status_code == 200  # each request extends the session
    time_machine.shift(timedelta(minutes=31))
    assert client.get(reverse("home")).status_code == 302


def test_a_request_within_a_minute_of_the_last_refresh_writes_no_session(client, parent, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(parent.user)
    client.get(reverse("home"))
    expiry = Session.objects.get().expire_date
    time_machine.shift(timedelta(seconds=30))
    client.get(reverse("home"))
    assert Session.objects.get().expire_date == expiry  # nothing written
    time_machine.shift(timedelta(seconds=31))
    client.get(reverse("home"))
    assert Session.objects.get().expire_date - expiry >= timedelta(seconds=61)  # pushed on


def test_there_is_no_public_sign_up(client):
    response = client.post(reverse("account_signup"), {"email": "new@example.test", "password1": "x-long-pass-123"})
    assert response.status_code == 200
    assert b"Sign Up Closed" in response.content or b"sign up is currently closed" in response.content.lower()

    assert not get_user_model().objects.filter(email="new@example.test").exists()


def test_a_parent_asking_for_another_familys_meeting_gets_404_and_the_attempt_is_audited(client):
    world = build_world()
    parent = world["people"]["parent_of_family"]
    client.force_login(parent.user)
    other = world["other_meeting"]
    response = client.get(reverse("meetings:detail", args=[other.pk]), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 404
    assert b"Otherfamily" not in response.content and b"Leakname" not in response.content
    event = AuditEvent.objects.get(code="access.not_found")
    assert event.actor == parent.user
    assert event.detail["lookup"] == {"pk": str(other.pk)}
    assert event.ip_address == "192.0.2.7"
    # A missing meeting looks exactly the same.
    missing = client.get(reverse("meetings:detail", args=[other.pk + 1000]))
    assert missing.status_code == 404

    def without_csrf(content: bytes) -> bytes:
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)

    assert without_csrf(missing.content) == without_csrf(response.content)


def test_opening_a_meeting_is_audited_with_who_and_where_from(client):
    world = build_world()
    professional = world["people"]["invited_professional"]
    client.force_login(professional.user)
    response = client.get(reverse("meetings:detail", args=[world["meeting"].pk]), REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200
    event = AuditEvent.objects.get(code="meeting.viewed")
    assert (event.actor, event.object_id, event.ip_address) == (
        professional.user,
        str(world["meeting"].pk),
        "198.51.100.4",
    )


def _code_in(message) -> str:
    return re.search(r"\b([A-Z0-9]{3,}-?[A-Z0-9]{3,})\b", message.body).group(1)


def test_a_family_member_signed_in_by_code_confirms_who_they_are_with_another_code(client, parent):
    parent.user.set_unusable_password()  # signs in by code only, as most parents do
    parent.user.save()
    EmailAddress.objects.create(user=parent.user, email=parent.user.email, primary=True, verified=False)
    client.post(reverse("account_request_login_code"), {"email": parent.user.email})
    client.post(reverse("account_confirm_login_code"), {"code": _code_in(mail.outbox[-1])})
    assert client.get(reverse("home")).status_code == 200
    # Signing in with the code proved the address, so it can carry the next code.
    assert EmailAddress.objects.get(user=parent.user).verified

    # The password page sends someone with no password on to the code.
    response = client.get(reverse("account_reauthenticate"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_request_reauthentication_code"))
    assert client.get(reverse("account_request_reauthentication_code")).status_code == 200
    sent = len(mail.outbox)
    response = client.post(reverse("account_request_reauthentication_code"), {"recipient": parent.user.email})
    assert response["Location"].startswith(reverse("account_confirm_reauthentication_code"))
    assert len(mail.outbox) == sent + 1
    assert mail.outbox[-1].to == [parent.user.email]
    response = client.post(reverse("account_confirm_reauthentication_code"), {"code": _code_in(mail.outbox[-1])})
    assert response.status_code == 302
    assert not response["Location"].startswith("/accounts/reauthenticate")


def test_staff_confirm_who_they_are_with_password_or_authenticator_never_an_emailed_code(client):
    chair = factories.staff(StaffRole.CHAIR)
    with_email_address(chair.user)
    client.force_login(chair.user)
    sent = len(mail.outbox)
    response = client.get(reverse("account_request_reauthentication_code"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(reverse("account_request_reauthentication_code"), {"recipient": chair.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == sent  # no code was emailed
    page = client.get(reverse("account_reauthenticate")).content.decode()
    assert reverse("account_request_reauthentication_code") not in page
    assert reverse("mfa_reauthenticate") in page


def test_a_parent_invited_to_a_meeting_can_sign_in_from_the_invitation_alone(client, administrator, chair, family):
    """A mother who has never used Confer: the meeting invitation is all she gets. It makes
    her login and tells her how to sign in; the code comes in Confer's own words; she lands
    on the meeting. No separate 'sign-in invitation' is needed."""
    mother = factories.PersonFactory(full_name="Siobhán O'Brien", email="siobhan@example.test")
    FamilyMember.objects.create(
        family=family, person=mother, relationship=Relationship.PARENT, has_parental_responsibility=True
    )
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.invite(meeting, administrator, mother)
    assert mother.user is None
    invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 20))
    mother.refresh_from_db()
    assert mother.user is not None and not mother.user.has_usable_password()
    invitation_email = OutboundEmail.objects.get(to_email="siobhan@example.test")
    sign_in = re.search(r"go to (\S+) and enter this email address \(siobhan@example.test\)", invitation_email.body)
    assert sign_in and sign_in.group(1).endswith(reverse("account_request_login_code"))

    response = client.post(reverse("account_request_login_code"), {"email": "siobhan@example.test"})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.subject == "Confer: Your sign-in code"
    assert message.body.startswith("Hello,\n\nYour code to sign in to Confer is:")
    assert "It works once, for 10 minutes." in message.body
    assert "Hello from" not in message.body and "127.0.0.1" not in message.body and "testserver" not in message.body
    client.post(reverse("account_confirm_login_code"), {"code": _code_in(message)})
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_asking_for_a_code_for_an_unknown_address_says_nothing_on_the_page_and_offers_no_sign_up(client, parent):
    EmailAddress.objects.create(user=parent.user, email=parent.user.email, primary=True, verified=True)
    known = client.post(reverse("account_request_login_code"), {"email": parent.user.email})
    unknown = Client().post(reverse("account_request_login_code"), {"email": "nobody@example.test"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    message = mail.outbox[-1]
    assert message.to == ["nobody@example.test"]
    assert message.subject == "Confer: Signing in to Confer"
    assert "Confer has no account for it" in message.body
    assert "sign up" not in message.body.lower() and "signup" not in message.body


def test_an_authenticator_code_from_the_step_just_ended_is_accepted_once(client, time_machine):
    chair = factories.staff(StaffRole.CHAIR)
    with_email_address(chair.user)
    time_machine.move_to(local(2027, 1, 6, 10, 0, 31))  # 1 s into a new 30-second step
    earlier = current_code(chair.totp_secret, at=time.time() - 30)
    assert earlier != current_code(chair.totp_secret)
    client.post(reverse("account_login"), {"login": chair.user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": earlier})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    # Two steps old is too old.
    client.logout()
    client.post(reverse("account_login"), {"login": chair.user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(chair.totp_secret, at=time.time() - 90)})
    assert response.status_code == 200
