"""Subject access: every distributed record about a child, as the requester may read it."""

import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from minutes import services
from minutes.errors import MinutesError
from minutes.models import SubjectAccessExport
from tests import factories
from tests.factories import local
from tests.minutes.conftest import THIRD_PARTY, WITHHELD_FROM_PARENT


def text_of(export: SubjectAccessExport) -> str:
    with export.file.open("rb") as f:
        pages = pypdf.PdfReader(io.BytesIO(f.read())).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_export_holds_each_distributed_record_redacted_for_the_requester_with_an_index(
    approved,
    chair,
    parent,
    manager,
    family,
):
    child = family.children.get()
    before = services.subject_access_export(child=child, requester=parent, actor=manager.user)
    assert before.records == 0  # approved is not distributed: nothing to give yet
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    export = services.subject_access_export(child=child, requester=parent, actor=manager.user)
    text = text_of(export)
    assert export.records == 1
    assert "Index" in text and approved.meeting.reference in text
    assert WITHHELD_FROM_PARENT not in text and THIRD_PARTY not in text
    assert "This part of the meeting took place without you" in text
    assert f"subject access copy for {parent.full_name}" in text
    with export.file.open("rb") as f:
        assert (
            pypdf.PdfReader(io.BytesIO(f.read()))
            and export.sha256 == __import__("hashlib").sha256(export.file.open("rb").read()).hexdigest()
        )
    event = AuditEvent.objects.filter(code="subject_access.exported").latest("id")
    assert (event.actor, event.detail["records"], event.detail["sha256"]) == (manager.user, 1, export.sha256)


def test_someone_not_invited_gets_the_most_withheld_family_copy(approved, chair, manager, family):
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    child = family.children.get()
    export = services.subject_access_export(child=child, requester=child.person, actor=manager.user)
    text = text_of(export)
    assert WITHHELD_FROM_PARENT not in text and THIRD_PARTY not in text


def test_only_managers_export_and_only_for_the_family(client, approved, chair, administrator, manager, family):
    child = family.children.get()
    with pytest.raises(PermissionDenied):
        services.subject_access_export(child=child, requester=child.person, actor=chair.user)
    with pytest.raises(MinutesError, match="the person who made the request"):
        services.subject_access_export(child=child, requester=factories.PersonFactory(), actor=manager.user)
    client.force_login(manager.user)
    url = reverse("subject_access", args=[child.pk])
    assert client.post(url, {"requester": child.person.pk}).status_code == 302
    export = SubjectAccessExport.objects.get()
    page = client.get(url).content.decode()
    assert "Exports made" in page and export.sha256[:16] in page
    download = client.get(reverse("subject_access_file", args=[export.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(code="subject_access.downloaded").count() == 1
    client.force_login(administrator.user)
    assert client.get(url).status_code == 403
