"""Staff accounts made by administrators; invitations for families and professionals."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import OutboundEmail
from participants import services
from participants.enums import StaffRole
from tests import factories

pytestmark = pytest.mark.django_db


def test_administrator_creates_a_chair_who_sets_a_password_then_mfa(
    client, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:staff"),
            {"full_name": "Ada Newchair", "email": "Ada.Newchair@example.test", "role": "chair"},
        )
    assert response.status_code == 302
    person = factories.Person.objects.get(email="ada.newchair@example.test")
    assert person.user.groups.filter(name="chair").exists()
    assert not person.user.has_usable_password()
    assert AuditEvent.objects.get(code="account.staff_created").detail == {"role": "chair"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Your Confer account"
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/password/reset/key/\S+)", message.body).group(1)

    client.logout()
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "a-brand-new-password-42", "password2": "a-brand-new-password-42"})
    assert response.status_code == 302
    person.user.refresh_from_db()
    assert person.user.check_password("a-brand-new-password-42")

    response = client.post(
        reverse("account_login"), {"login": "ada.newchair@example.test", "password": "a-brand-new-password-42"}
    )
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_account_form_refuses_a_duplicate_email_and_keeps_the_input(client, administrator, chair):
    client.force_login(administrator.user)
    response = client.post(
        reverse("participants:staff"), {"full_name": "Someone Else", "email": chair.user.email, "role": "manager"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is already an account" in page
    assert 'value="Someone Else"' in page
    assert "govuk-error-summary" in page


def test_only_administrators_create_staff_accounts(chair):
    with pytest.raises(PermissionDenied):
        services.staff_account_create(actor=chair.user, full_name="X Y", email="x@example.test", role=StaffRole.CHAIR)


def test_inviting_a_parent_creates_a_login_and_explains_sign_in_by_code(
    administrator, django_capture_on_commit_callbacks
):
    parent = factories.PersonFactory(full_name="Mabel Leakname", email="mabel@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.account_invite(actor=administrator.user, person=parent)
    parent.refresh_from_db()
    assert parent.user.email == "mabel@example.test"
    assert not parent.user.has_usable_password()
    message = mail.outbox[0]
    assert message.subject == "You have been invited to use Confer"
    assert "/accounts/login/code/" in message.body
    assert AuditEvent.objects.get(code="account.invited").detail == {"new_account": True}

    assert OutboundEmail.objects.get(to_email="mabel@example.test").status == OutboundEmail.Status.SENT


def test_inviting_someone_without_an_email_is_refused_clearly(administrator):
    person = factories.PersonFactory(email="")
    with pytest.raises(services.AccountError, match="has no email address"):
        services.account_invite(actor=administrator.user, person=person)


def test_nothing_is_emailed_when_the_transaction_rolls_back(administrator, django_capture_on_commit_callbacks):

    parent = factories.PersonFactory(email="rollback@example.test")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.account_invite(actor=administrator.user, person=parent)
        raise RuntimeError("something later failed")
    assert mail.outbox == []


def test_administrator_invites_a_parent_from_the_meeting_page(
    client, administrator, chair, family, django_capture_on_commit_callbacks
):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    grandmother = factories.PersonFactory(full_name="Nana Leakname", email="nana@example.test")
    invitation = factories.invite(meeting, administrator, grandmother)
    client.force_login(administrator.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Send sign-in invitation" in page
    url = reverse("meetings:invitation_account_invite", args=[meeting.pk, invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Nana Leakname has been emailed how to sign in." in response.content.decode()
    grandmother.refresh_from_db()
    assert grandmother.user is not None
    assert mail.outbox[0].to == ["nana@example.test"]
    assert "Leakname" not in mail.outbox[0].subject


def test_a_chair_cannot_send_sign_in_invitations(client, administrator, chair, family, parent):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    invitation = factories.invite(meeting, administrator, parent)
    client.force_login(chair.user)
    url = reverse("meetings:invitation_account_invite", args=[meeting.pk, invitation.pk])
    assert client.post(url).status_code == 403
    assert mail.outbox == []


def test_an_invitation_of_another_meeting_is_not_found(client, administrator, chair, family, parent):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    other_family, other_parent = factories.family_with_parent()
    other = factories.schedule(administrator=administrator, chair=chair, family=other_family)
    foreign = factories.invite(other, administrator, other_parent)
    client.force_login(administrator.user)
    url = reverse("meetings:invitation_account_invite", args=[meeting.pk, foreign.pk])
    assert client.post(url).status_code == 404


def test_signing_out_needs_a_post_and_ends_the_session(client, parent):
    client.force_login(parent.user)
    assert client.get(reverse("account_logout")).status_code == 200  # a confirmation page
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302
