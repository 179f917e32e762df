"""What distributing minutes costs: one reader's PDF of a typical 8-page conference record
against WeasyPrint rendering the same HTML alone, and renders per distribution.

    .venv/bin/python bench/distribution.py            # SQLite in a temporary folder

Targets: a copy costs at most 1.15 times the bare render (Confer's own work — loading the
minutes, redaction, the template, stamping the name — stays small beside WeasyPrint's);
fifteen recipients in two redaction profiles cost two renders.
"""

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="confer-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{TMP}/media"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - after the settings are chosen
import pypdf  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.seed import seed_demo  # noqa: E402
from meetings import invites  # noqa: E402
from meetings import services as meeting_services  # noqa: E402
from meetings.enums import InvitationRole, MeetingKind  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from minutes import copies, pdf  # noqa: E402
from minutes import services as minutes_services  # noqa: E402
from participants.enums import Consent  # noqa: E402
from participants.models import Person, ThirdPartySource  # noqa: E402

PARAGRAPH = (
    "The social worker described the family's circumstances since the strategy discussion, the "
    "visits made, what the children said about home and school, and the worries raised by the "
    "school and the health visitor about attendance, weight and supervision in the evenings. "
)


def conference_with_fifteen_recipients() -> Meeting:
    """A conference held through the services, with two parents, twelve professionals and the
    chair; every section written at length, one from a neighbour who refused consent."""
    seed_demo()
    held = Meeting.objects.filter(kind=MeetingKind.ICPC, minutes__isnull=True).exclude(status="held").first()
    admin = Person.objects.get(user__email="admin@demo.confer.test").user
    chair = held.chair
    now = timezone.now()
    starts = now - timedelta(days=12)
    meeting = meeting_services.meeting_schedule(
        actor=admin,
        kind=MeetingKind.ICPC,
        family=held.family,
        children=list(held.family.children.all()),
        chair=chair,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Bench venue",
        strategy_discussion_on=(starts - timedelta(days=7)).date(),
        now=starts - timedelta(days=10),
    )
    at = starts - timedelta(days=9)
    parents = [m.person for m in held.family.memberships.all()][:2]
    parents += [Person.objects.create(full_name="Second Parent")] * (2 - len(parents))
    for parent in parents:
        invites.invitation_add(meeting=meeting, actor=admin, person=parent, role=InvitationRole.PARENT_CARER, now=at)
    for i in range(12):
        person = Person.objects.create(full_name=f"Professional {i}", email=f"pro{i}@bench.test")
        invites.invitation_add(meeting=meeting, actor=admin, person=person, role=InvitationRole.PROFESSIONAL, now=at)
    meeting_services.meeting_hold(
        meeting=meeting,
        actor=chair.user,
        now=starts + timedelta(hours=2),
        attendance={i.pk: meeting_services.AttendanceRecord("attended") for i in meeting.invitations.all()},
        outcomes={
            c.pk: meeting_services.OutcomeRecord(plan_needed=True, category="neglect") for c in meeting.children.all()
        },
    )
    minutes = minutes_services.minutes_start(meeting=meeting, actor=chair.user, now=starts + timedelta(hours=3))
    for section in minutes.sections.all():
        minutes_services.section_save(
            section=section, actor=chair.user, text=(PARAGRAPH * 3 + "\n\n") * 2 + PARAGRAPH, version=section.version
        )
    neighbour = ThirdPartySource.objects.create(family=meeting.family, name="A neighbour", consent=Consent.REFUSED)
    minutes_services.section_set_restrictions(
        section=minutes.sections.get(key="worries"), actor=chair.user, third_party_source=neighbour, restricted_from=[]
    )
    minutes_services.minutes_share(minutes=minutes, actor=chair.user, now=starts + timedelta(hours=4))
    # Approved once the family's window (5 working days) has closed.
    minutes_services.minutes_approve(minutes=minutes, actor=chair.user, now=starts + timedelta(days=10))
    return meeting


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):  # the console mailer prints every email
        meeting = conference_with_fifteen_recipients()
    minutes = meeting.minutes
    version = minutes.versions.get()
    professional = meeting.invitations.filter(role=InvitationRole.PROFESSIONAL).first()

    def one_copy() -> bytes:
        contents = copies.load(minutes)
        copy = copies.copy_for(contents, copies.readers_of(meeting)[professional.pk])
        html = minutes_services.distribution.copy_html(minutes, version, copy, plain=False)
        return pdf.stamp(pdf.render_pdf(html), minutes_services.distribution.stamp_text(professional))

    # The same reader's copy the timed pipeline makes, rendered alone.
    copy = copies.copy_for(copies.load(minutes), copies.readers_of(meeting)[professional.pk])
    html = minutes_services.distribution.copy_html(minutes, version, copy, plain=False)
    pages = len(pypdf.PdfReader(io.BytesIO(one_copy())).pages)  # also warms fonts and templates
    pdf.render_pdf(html)
    bare = timed(lambda: pdf.render_pdf(html), repeat=7)
    whole = timed(one_copy, repeat=7)
    print(f"conference record: {pages} pages")
    print(f"WeasyPrint render alone: {bare:.3f} s")
    print(f"one reader's copy (load, redact, template, render, stamp): {whole:.3f} s ({whole / bare:.2f}x)")

    renders = []
    real = pdf.render_pdf
    pdf.render_pdf = lambda html, **kw: renders.append(1) or real(html, **kw)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        made = minutes_services.minutes_distribute(minutes=minutes, actor=meeting.chair.user, late_reason="bench")
    elapsed = time.perf_counter() - started
    pdf.render_pdf = real
    profiles = len({d.profile for d in made})
    print(f"distribution to {len(made)} recipients: {len(renders)} renders for {profiles} profiles, {elapsed:.2f} s")


if __name__ == "__main__":
    main()
