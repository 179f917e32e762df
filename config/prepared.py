"""Queries run on every request, built and compiled once per process.

Django builds a query's SQL afresh each time it runs. For most queries that costs little
next to the database's answer, but the gate every meeting and minutes page passes through
(the meeting, who chairs it, the family, the reader's role at it, and on the minutes page
the minutes, in one statement) took about 2 ms of Python to build and compile against
0.3 ms for PostgreSQL to answer: as much as a whole signed-in page that reads nothing.

A prepared query is built by the same QuerySet code as always, once, with stand-in
values (*slots*) for what changes per request (an id). Each run puts the real values into
the compiled statement's parameters and turns the row into model instances with Django's
own iterable, so ``select_related`` objects and annotations come out exactly as from the
QuerySet, and the query is logged and counted like any other.

What a builder may depend on, and so what the key must name: anything but its slots
(which role's rule, which relations). A builder that reads the clock, a setting or the
database would be frozen at its first run; a slot the builder does not pass to the
database as a parameter is refused when the query is prepared, rather than silently
ignored. Slots stand for integers (ids), which is all the hot paths need.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Hashable
from typing import Any

from django.core.exceptions import MultipleObjectsReturned
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable

# Stand-ins no id takes (ids are positive), far from any number a builder might use.
_SLOT_BASE = -7_340_033_000


@dataclasses.dataclass(frozen=True)
class _Prepared:
    template: QuerySet
    compiler: Any  # the SQLCompiler that built the statement: its select and row layout
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (parameter position, slot name)


_prepared: dict[tuple, _Prepared] = {}


def one(key: Hashable, build: Callable[..., QuerySet], **values: int) -> Model | None:
    """The single row ``build(**values)`` finds, or None; ``build`` runs once per process
    for ``key``, with stand-ins for ``values``.

    More than one row is an error, as for ``QuerySet.get``: a rule that returns one row
    twice is a bug to hear about, not to paper over."""
    prepared = _prepare(key, build, sorted(values))
    params = list(prepared.params)
    for position, name in prepared.slots:
        params[position] = int(values[name])
    rows = list(ModelIterable(_Run(prepared, tuple(params))))
    if len(rows) > 1:
        raise MultipleObjectsReturned(f"{key!r} found {len(rows)} rows")
    return rows[0] if rows else None


def forget() -> None:
    """Drop every prepared query (for a test that changes what a builder builds)."""
    _prepared.clear()


def _prepare(key: Hashable, build: Callable[..., QuerySet], names: list[str]) -> _Prepared:
    full_key = (key, tuple(names))
    if (found := _prepared.get(full_key)) is not None:
        return found
    stand_ins = {name: _SLOT_BASE - i for i, name in enumerate(names)}
    template = build(**stand_ins)[:2]  # two rows at most: enough to tell one from many
    compiler = template.query.get_compiler(using=template.db)
    sql, params = compiler.as_sql()
    by_value = {value: name for name, value in stand_ins.items()}
    slots = tuple((i, by_value[p]) for i, p in enumerate(params) if type(p) is int and p in by_value)
    if missing := set(names) - {name for _, name in slots}:
        raise ValueError(f"{key!r}: {sorted(missing)} did not reach the query as parameters")
    prepared = _Prepared(template, compiler, sql, tuple(params), slots)
    _prepared[full_key] = prepared
    return prepared


class _Run:
    """What Django's ModelIterable asks of a QuerySet (its model, database, fetch mode and
    query's compiler), answered from a prepared statement with this run's parameters."""

    def __init__(self, prepared: _Prepared, params: tuple):
        template = prepared.template
        self.model = template.model
        self.db = template.db
        self._fetch_mode = template._fetch_mode
        self._known_related_objects = template._known_related_objects
        self.query = self
        # A copy per run: the compiler from the build belongs to the connection (and so
        # the thread) that built it, and its statement to the stand-in values.
        compiler = copy.copy(prepared.compiler)
        compiler.connection = connections[template.db]
        compiler.as_sql = lambda *args, **kwargs: (prepared.sql, params)
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler
