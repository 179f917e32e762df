"""Pages that never count the whole list: start pages peek one row ahead."""

import pytest

from config.keyset import PeekPage
from participants.models import Family

pytestmark = pytest.mark.django_db


@pytest.fixture
def families(db):
    Family.objects.bulk_create([Family(reference=f"FAM-{i:05d}") for i in range(1, 13)])
    return Family.objects.order_by("reference")


def test_a_peek_page_knows_its_neighbours_with_one_query(families, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = PeekPage(families, "1", 10)
    assert [f.reference for f in first] == [f"FAM-{i:05d}" for i in range(1, 11)]
    assert (first.has_next(), first.has_previous(), first.next_page_number()) == (True, False, 2)
    second = PeekPage(families, "2", 10)
    assert [f.reference for f in second] == ["FAM-00011", "FAM-00012"]
    assert (second.has_next(), second.has_previous(), second.previous_page_number()) == (False, True, 1)


@pytest.mark.parametrize("number", [None, "", "0", "-3", "x", "٣", "99999999999999999999999"])
def test_a_page_number_that_is_not_one_is_the_first_page_or_a_capped_one(families, number):
    page = PeekPage(families, number, 10)
    assert page.number in (1, PeekPage.MAX_PAGE)
    assert len(page) in (0, 10)
