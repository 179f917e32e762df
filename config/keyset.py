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
    the key ``after``, or the one before the key ``before``. A key no text column can hold
    (with a NUL, which PostgreSQL refuses as a parameter) is taken as no key: the keys come
    from the URL, and a made-up one gets the first page, not an error."""
    after, before = ("" if "\x00" in key else key for key in (after, before))
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


class PeekPage:
    """A numbered page that does not count the list: it reads one row more than it shows
    to know whether there is a next page. For lists of open work on start pages, which
    stay short, so the offset stays small; the page number is capped all the same."""

    MAX_PAGE = 1000

    def __init__(self, queryset: QuerySet, number, size: int):
        text = str(number or "1")
        self.number = min(int(text), self.MAX_PAGE) if text.isascii() and text.isdigit() and int(text) > 0 else 1
        start = (self.number - 1) * size
        rows = list(queryset[start : start + size + 1])
        self.object_list = rows[:size]
        self._more = len(rows) > size

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
