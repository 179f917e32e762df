"""Two chairs pressing "approve" at once: one approval and one clear "already approved"."""

from datetime import timedelta

import pytest

from minutes import services
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Version
from tests.concurrency import race
from tests.factories import local


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_approval_gives_one_version_and_one_clear_refusal(minutes, chair, parent):
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    services.no_comments(minutes=minutes, actor=parent.user, now=local(2027, 1, 7, 11))
    later = local(2027, 1, 7, 12)
    first, second = race(
        lambda: services.minutes_approve(minutes=minutes, actor=chair.user, now=later + timedelta(seconds=1)),
        MinutesError,
    )
    assert isinstance(first, Version)
    assert isinstance(second, MinutesError)
    assert "already approved on Thursday 7 January 2027" in str(second)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED
    assert Version.objects.filter(minutes=minutes).count() == 1
