"""Pagination by key ("after this reference") for lists that grow without limit.

A numbered page needs a count of the whole list and an OFFSET that reads and skips every
row before it, both of which grow with the table. Paging by key reads one page through
the index on the key, however long the list: the price is "Previous" and "Next" links
instead of page numbers, which is what a long alphabetical list needs anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass
class KeysetPage:
    items: list
    next_after: str | None  # the key to ask for the next page with, if there is one
    previous_before: str | None  # the key to ask for the previous page with, if there is one

    def __iter__(self):
        return iter(self.items)


def keyset_page(queryset: QuerySet, field: str, *, after: str = "", before: str = "", size: int = 25) -> KeysetPage:
    """One page of ``queryset`` ordered by the unique ``field``: the first, the one after
    the key ``after``, or the one before the key ``before``."""
    if before:
        rows = list(queryset.filter(**{f"{field}__lt": before}).order_by(f"-{field}")[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows, getattr(rows[-1], field) if rows else None, getattr(rows[0], field) if more and rows else None
        )
    if after:
        queryset = queryset.filter(**{f"{field}__gt": after})
    rows = list(queryset.order_by(field)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows, getattr(rows[-1], field) if more else None, getattr(rows[0], field) if after and rows else None
    )
