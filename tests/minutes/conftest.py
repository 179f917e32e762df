import pytest

from meetings.enums import InvitationRole
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
