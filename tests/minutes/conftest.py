import pytest

from meetings.enums import InvitationRole
from minutes import services
from minutes.services import minutes_start
from participants.enums import Consent
from participants.models import ThirdPartySource
from tests import factories
from tests.factories import local


@pytest.fixture
def officer():
    return factories.PersonFactory(
        full_name="Pat Constable",
        email="pat@police.test",
        user=factories.UserFactory(),
        agency=factories.AgencyFactory(name="Police"),
    )


@pytest.fixture
def held_meeting(administrator, chair, family, parent, officer):
    """An initial conference held on Wednesday 6 January 2027 with a parent and a police officer."""
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.invite(meeting, administrator, parent)
    factories.invite(meeting, administrator, officer, InvitationRole.PROFESSIONAL)
    factories.hold(meeting, chair, now=local(2027, 1, 6, 12, 30))
    return meeting


@pytest.fixture
def minutes(held_meeting, chair):
    return minutes_start(meeting=held_meeting, actor=chair.user, now=local(2027, 1, 7, 9))


@pytest.fixture
def neighbour(family):
    return ThirdPartySource.objects.create(family=family, name="A neighbour", consent=Consent.REFUSED)


WITHHELD_FROM_PARENT = "MARKER-RESTRICTED-FROM-THE-PARENT"
THIRD_PARTY = "MARKER-NEIGHBOUR-SAID"
EVERYONE = "MARKER-EVERYONE-READS-THIS"


@pytest.fixture
def approved(minutes, chair, parent, officer, neighbour, held_meeting):
    """Minutes of the conference held on Wednesday 6 January 2027: one part withheld from
    the parent, one from a neighbour who refused consent; shared Thursday 7th, the parent
    said "no comments", approved Friday 8th."""

    def write(key, text, **restrictions):
        section = minutes.sections.get(key=key)
        services.section_save(section=section, actor=chair.user, text=text, version=section.version)
        if restrictions:
            services.section_set_restrictions(section=section, actor=chair.user, **restrictions)

    parent_invitation = held_meeting.invitations.get(person=parent)
    write("purpose", EVERYONE + " " + "The conference met to decide on a plan. " * 120)
    write("worries", THIRD_PARTY, third_party_source=neighbour, restricted_from=[])
    write("analysis", WITHHELD_FROM_PARENT, third_party_source=None, restricted_from=[parent_invitation])
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    services.no_comments(minutes=minutes, actor=parent.user, now=local(2027, 1, 7, 12))
    services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 9))
    return minutes
