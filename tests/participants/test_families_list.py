"""The families list pages by reference (it grows for ever); a search pages by number."""

import re

import pytest
from django.urls import reverse

from participants.models import Family

pytestmark = pytest.mark.django_db


@pytest.fixture
def families(db):
    return Family.objects.bulk_create([Family(reference=f"FAM-{i:05d}") for i in range(1, 31)])


def references(page: str) -> list[str]:
    return re.findall(r'<td class="govuk-table__cell">(FAM-\d{5})</td>', page)


def test_the_list_pages_by_reference_forward_and_back_with_a_fixed_number_of_queries(
    client, administrator, families, django_assert_max_num_queries
):
    client.force_login(administrator.user)
    url = reverse("participants:families")
    first = client.get(url).content.decode()
    assert references(first) == [f"FAM-{i:05d}" for i in range(1, 26)]
    assert "?after=FAM-00025" in first and "?before=" not in first
    with django_assert_max_num_queries(7):  # no count of all families, no OFFSET
        second = client.get(url, {"after": "FAM-00025"}).content.decode()
    assert references(second) == [f"FAM-{i:05d}" for i in range(26, 31)]
    assert "?before=FAM-00026" in second and "?after=" not in second
    back = client.get(url, {"before": "FAM-00026"}).content.decode()
    assert references(back) == references(first)


def test_search_results_keep_the_search_when_paging(client, administrator, families):
    client.force_login(administrator.user)
    page = client.get(reverse("participants:families"), {"q": "FAM-000"}).content.decode()
    assert len(references(page)) == 25
    assert "?q=FAM-000&amp;page=2" in page
