"""Accounts: how people get a login. Nobody signs up; staff accounts are made by
administrators, and family members and professionals are invited."""

from __future__ import annotations

from datetime import datetime

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from notifications.links import absolute_url
from notifications.services import outbox_enqueue, render_text
from participants.enums import AgencyKind, StaffRole
from participants.models import Agency, Person
from participants.rules import is_administrator, is_staff_role

User = get_user_model()


class AccountError(Exception):
    """A refusal whose message is safe to show the person who asked."""


def _set_password_link(user) -> str:
    key = default_token_generator.make_token(user)
    return absolute_url(
        reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    )


def _send(template: str, person: Person, context: dict, *, key: str, now: datetime) -> None:
    """Queue through the outbox: recorded, retried on failure, sent once, after commit.

    The staff email carries a set-password link; it lives in the outbox row until it
    expires (PASSWORD_RESET_TIMEOUT) or is used, and anyone able to read that table could
    already do far more, so it is not kept apart.
    """
    subject = render_text(f"emails/{template}_subject.txt", context).strip()
    body = render_text(f"emails/{template}.txt", context)
    outbox_enqueue(key=key, to_email=person.email, recipient=person, subject=subject, body=body, obj=person, now=now)


def _new_user(email: str, full_name: str):
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists() or EmailAddress.objects.filter(email__iexact=email).exists():
        raise AccountError(f"There is already an account for {email}.")
    first, _, last = full_name.strip().partition(" ")
    user = User.objects.create_user(username=email, email=email, first_name=first, last_name=last)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


@transaction.atomic
def staff_account_create(
    *, actor, full_name: str, email: str, role: StaffRole | str, job_title: str = "", now: datetime | None = None
) -> Person:
    """Create a member of staff, who is emailed a link to choose a password. On first
    sign-in they must set up an authenticator app (participants.middleware)."""
    now = now or timezone.now()
    if not is_administrator(actor):
        raise PermissionDenied("Only administrators can create staff accounts.")
    role = StaffRole(role)
    if not full_name.strip():
        raise AccountError("Enter the person's full name.")
    user = _new_user(email, full_name)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    person = Person.objects.create(full_name=full_name.strip(), email=user.email, user=user, job_title=job_title)
    audit_record(actor=actor, code="account.staff_created", obj=person, now=now, detail={"role": role.value})
    context = {
        "person": person,
        "role": role.label,
        "link": _set_password_link(user),
        "service": settings.CONFER_SERVICE_NAME,
    }
    _send("staff_account", person, context, key=f"account.staff_created:{user.pk}", now=now)
    return person


@transaction.atomic
def account_invite(*, actor, person: Person, now: datetime | None = None) -> Person:
    """Give a family member or professional a login, and tell them how to sign in.

    They sign in with a code emailed to them, so no password is set. Inviting someone who
    already has a login just sends the email again.
    """
    now = now or timezone.now()
    if not is_administrator(actor):
        raise PermissionDenied("Only administrators can invite people to use Confer.")
    if not person.email:
        raise AccountError(f"{person} has no email address, so cannot be invited to use Confer.")
    created = person.user is None
    if created:
        person.user = _new_user(person.email, person.full_name)
        person.save(update_fields=["user"])
    audit_record(actor=actor, code="account.invited", obj=person, now=now, detail={"new_account": created})
    context = {
        "person": person,
        "sign_in": absolute_url(reverse("account_request_login_code")),
        "service": settings.CONFER_SERVICE_NAME,
    }
    # A resend is a new message, so the key carries the time.
    _send("account_invitation", person, context, key=f"account.invited:{person.pk}:{now.timestamp()}", now=now)
    return person


def account_for_invitee(*, person: Person, now: datetime) -> bool:
    """Give someone invited to a meeting (a family member, a professional) a login, so the
    invitation's "sign in with a code sent to this address" works the first time, without
    waiting for a separate sign-in invitation. Nothing is sent here: the invitation itself
    says how to sign in. Returns whether a login was made; never for someone with no email
    address, nor where that address already belongs to another login (which is left as it
    is, and recorded)."""
    if person.user_id is not None or not person.email:
        return False
    try:
        with transaction.atomic():
            person.user = _new_user(person.email, person.full_name)
            person.save(update_fields=["user"])
    except AccountError:
        audit_record(actor=None, system_label="invitations", code="account.not_made", obj=person, now=now)
        return False
    audit_record(actor=None, system_label="invitations", code="account.made_for_invitation", obj=person, now=now)
    return True


@transaction.atomic
def person_create(
    *, actor, full_name: str, email: str = "", agency=None, job_title: str = "", now: datetime | None = None
) -> Person:
    """Record someone new (a professional, advocate or interpreter), e.g. while inviting them."""

    if not is_staff_role(actor):
        raise PermissionDenied("Only staff can add people to Confer.")
    if not full_name.strip():
        raise AccountError("Enter the person's full name.")
    person = Person.objects.create(
        full_name=full_name.strip(), email=email.strip().lower(), agency=agency, job_title=job_title.strip()
    )
    audit_record(actor=actor, code="person.created", obj=person, now=now or timezone.now())
    return person


@transaction.atomic
def agency_get_or_create(*, actor, name: str, kind: str, now: datetime | None = None) -> Agency:
    """The agency of this name, recorded (and audited) if Confer did not know it yet."""
    if not is_staff_role(actor):
        raise PermissionDenied("Only staff can add agencies to Confer.")
    if not name.strip():
        raise AccountError("Enter the agency's name.")
    agency, created = Agency.objects.get_or_create(name=name.strip(), defaults={"kind": kind or AgencyKind.OTHER})
    if created:
        audit_record(actor=actor, code="agency.created", obj=agency, now=now or timezone.now())
    return agency
