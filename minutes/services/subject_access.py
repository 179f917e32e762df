"""Subject access: a person's legal request for the records held about a child.

A manager produces, for one child, a single PDF of every distributed record about them,
each as the person who asked may read it: their own reader's copy where they were invited,
and otherwise the most withheld family copy (nothing restricted from anyone, no third
party without consent, no one else's comments). An index page lists the records. The
export is stamped with the requester's name, kept with its SHA-256, and audited.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.services import audit_record
from minutes import copies, pdf, redaction
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Minutes, SubjectAccessExport
from participants.models import Child, Person
from participants.rules import is_manager


def requesters_for(child: Child) -> list[Person]:
    """Who may ask for a child's records here: the child themselves and the adults of
    their family (a request from anyone else goes through the legal team, not Confer)."""
    members = Person.objects.filter(family_memberships__family_id=child.family_id).order_by("full_name", "id")
    return [child.person, *members]


def _reader(minutes: Minutes, requester: Person) -> tuple[redaction.Reader, bool]:
    """The requester's reader for one record, and whether they read plain headings."""
    readers = copies.readers_of(minutes.meeting)
    invitation = minutes.meeting.invitations.filter(person=requester).first()
    plain = hasattr(requester, "child")
    if invitation is not None:
        return readers[invitation.pk], plain
    # Not invited to this meeting: what no one invited is denied, as family.
    return redaction.Reader(None, reads_as_family=True, denied_as=frozenset(readers)), plain


@transaction.atomic
def subject_access_export(
    *, child: Child, requester: Person, actor, now: datetime | None = None
) -> SubjectAccessExport:
    now = now or timezone.now()
    if actor is None or not is_manager(actor):
        raise PermissionDenied("Only managers produce subject access exports.")
    if requester not in requesters_for(child):
        raise MinutesError("Choose the child or an adult of their family: the person who made the request.")
    records = []
    plain = False
    for minutes in (
        Minutes.objects.filter(status=MinutesStatus.DISTRIBUTED, meeting__children=child)
        .select_related("meeting", "meeting__chair")
        .order_by("meeting__starts_at", "id")
    ):
        reader, plain = _reader(minutes, requester)
        records.append(
            (minutes, minutes.versions.order_by("-number").first(), copies.copy_for(copies.load(minutes), reader))
        )
    html = render_to_string(
        "pdf/subject_access.html",
        {"child": child, "requester": requester, "records": records, "made_at": now, "plain": plain},
    )
    data = pdf.stamp(pdf.render_pdf(html), f"OFFICIAL-SENSITIVE - subject access copy for {requester.full_name}")
    export = SubjectAccessExport(
        child=child, requester=requester, made_by=actor, made_at=now, records=len(records), sha256=pdf.sha256(data)
    )
    export.file.save("export.pdf", ContentFile(data), save=False)
    export.save()
    audit_record(
        actor=actor,
        code="subject_access.exported",
        obj=child,
        now=now,
        detail={"export": export.pk, "requester": requester.pk, "records": len(records), "sha256": export.sha256},
    )
    return export
