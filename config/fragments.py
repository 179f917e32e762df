"""Rendered parts of pages kept in the cache until what they show changes.

A start page or a list costs its queries and its table far more than the signed-in shell
around it, and people open them far more often than the rows change. So a page may keep
its rendered rows (``kept``), stored with the *generations* of the topics it shows and
given back only while those are still the current ones:

- ``meetings``: meetings, invitations, reports, outcomes (the ``meetings`` app);
- ``people``: people, families, children, agencies, staff roles (``participants``);
- ``minutes``: minutes, sections, comments, letters, notices, feedback (``minutes``);
- ``notifications``: the outbox (``notifications``), for pages that show what was sent.

Every save or delete of a model of those apps (and every change to a many-to-many link)
moves its topic's generation on once the transaction commits (``connect_models``, wired
in ``MinutesConfig.ready``), and at once for the rest of the transaction that made it
(``moved_on``). A request that reads the generation after the commit also reads the new
rows; one that read an earlier generation stores what it rendered with that generation,
which no later request takes for the current one. Writes that bypass a model's save (a
bulk ``update()``, ``bulk_create``, the deadline sweep's ``INSERT … SELECT``) call
``moved_on`` themselves.

Entries also expire after ``SECONDS``: what changes by the clock alone (a meeting that
has started drops off "upcoming") shows within a minute. Redis is shared by every app
server, so a change on one is seen on all; a lost Redis only means rendering afresh.

What may be kept, and under what key, is the caller's business and a matter of privacy:
the key must hold everything the fragment depends on, the reader first (a family member's
page is kept under their own user; a role's list under the roles). What is made per
request (a form's CSRF token, a fresh submission token against double posts) is rendered
as a marker (``marker``) and filled in on the way out (``kept(..., fill=…)``): the marker
is keyed to this installation's secret, so text someone typed cannot pose as one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger("confer.fragments")

TOPICS = ("meetings", "people", "minutes", "notifications")
SECONDS = 60

# Which app's models make up each topic.
APP_TOPICS = {"meetings": "meetings", "participants": "people", "minutes": "minutes", "notifications": "notifications"}


def _generation_key(topic: str) -> str:
    return f"fragments:generation:{topic}"


def moved_on(*topics: str) -> None:
    """Mark ``topics`` changed: now, and again once the current transaction commits.

    Now, so that the rest of this transaction (the page its request shows next) does not
    read what it kept before the change; again at the commit, because a request elsewhere
    may have read the first new generation before the change was visible to it and kept
    the old rows under it."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"Unknown topics: {sorted(unknown)}")
    _next(topics)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _next(topics))


def _next(topics: Iterable[str]) -> None:
    for topic in topics:
        try:
            try:
                cache.incr(_generation_key(topic))
            except ValueError:  # not there yet, or evicted: any new value leaves old entries unused
                cache.set(_generation_key(topic), time.time_ns(), None)
        except Exception:  # the cache down must not fail the change (a worker's, the sweep's)
            # Kept entries cannot be read while it is down either; should it come back with
            # them, they are at most ``SECONDS`` old.
            logger.warning("Could not move the %s generation on: the cache is unreachable.", topic)


def generations(topics: Iterable[str]) -> str:
    """The current generations of ``topics`` as one string (one cache read)."""
    keys = [_generation_key(topic) for topic in topics]
    return _generations(keys, cache.get_many(keys))


def _generations(keys: list[str], found: dict) -> str:
    for key in keys:
        if key not in found:
            found[key] = time.time_ns()
            if not cache.add(key, found[key], None):  # another request set it first
                found[key] = cache.get(key, found[key])
    return ".".join(str(found[key]) for key in keys)


def marker(name: str) -> str:
    """What stands in a kept fragment for the per-request value ``name``."""
    return _marker(settings.SECRET_KEY, name)


@functools.cache
def _marker(secret: str, name: str) -> str:
    digest = hmac.new(secret.encode(), f"fragments-fill:{name}".encode(), hashlib.sha256)
    return f"fill-{name}-{digest.hexdigest()[:24]}"


def kept(
    name: str, topics: Iterable[str], key: str, render: Callable[[], str], *, fill: dict[str, str] | None = None
) -> SafeString:
    """The fragment ``name`` for ``key``, from the cache while ``topics`` have not changed
    (``render`` builds it when they have, or when it is not there), with each ``marker``
    replaced by its per-request value from ``fill`` (HTML-escaped)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    full = f"fragments:v2:{name}:{digest}"
    generation_keys = [_generation_key(topic) for topic in topics]
    try:
        # The entry and the generations in one read; the entry holds the generations it
        # was rendered under, and answers only while they are still the current ones.
        found = cache.get_many([*generation_keys, full])
        entry = found.pop(full, None)
        now = _generations(generation_keys, found)
    except Exception:  # without the cache, the page is rendered afresh
        logger.warning("The cache is unreachable: %s rendered afresh.", name)
        full, entry, now = None, None, None
    if entry is not None and entry[0] == now:
        html = entry[1]
    else:
        html = str(render())
        if full is not None:
            with contextlib.suppress(Exception):  # not kept this time; shown all the same
                cache.set(full, (now, html), SECONDS)
    for placeholder, value in (fill or {}).items():
        html = html.replace(marker(placeholder), escape(value))
    return mark_safe(html)  # noqa: S308 - what ``render`` made from templates, read back


def connect_models(app_models: dict[str, Iterable[type]], through_models: dict[str, Iterable[type]]) -> None:
    """Move a topic on when any of its models is saved or deleted, or a link of its
    many-to-many fields changes. ``app_models`` and ``through_models`` map topic → models."""
    for topic, models in app_models.items():
        receiver = _receiver(topic)
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"fragments-{topic}-{model.__name__}")
    for topic, models in through_models.items():
        receiver = _receiver(topic)
        for model in models:
            m2m_changed.connect(receiver, sender=model, weak=False, dispatch_uid=f"fragments-{topic}-{model.__name__}")


def _receiver(topic: str) -> Callable[..., None]:
    def changed(**_kwargs) -> None:
        moved_on(topic)

    changed.__name__ = f"fragments_{topic}_changed"
    return changed
