"""The service mailbox, read over IMAP (``CONFER_MAILBOX``): what replies from people's
calendars reach. This module knows mail, not meetings: it lists the messages waiting,
fetches each within a size limit, and moves it out of the way once it has been dealt with,
to the processed folder or to the folder where a person looks. It never deletes.

Microsoft 365 and Google both serve IMAP over TLS (port 993); ``security`` may also be
"starttls", or "none" for a test server on loopback.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings


class MailboxError(Exception):
    """The mailbox could not be reached or refused a command."""


@dataclass(frozen=True)
class Waiting:
    uid: bytes
    size: int


def configured() -> bool:
    return bool(settings.CONFER_MAILBOX.get("host"))


def _ok(result: tuple, what: str):
    status, data = result
    if status != "OK":
        raise MailboxError(f"{what}: {status} {data!r}")
    return data


class Mailbox:
    def __init__(self, connection: imaplib.IMAP4, config: dict) -> None:
        self.imap, self.config = connection, config
        # Asked again after signing in: servers announce more to a signed-in client.
        self._can_move = "MOVE" in _ok(connection.capability(), "capability")[0].decode().upper().split()

    def waiting(self, limit: int) -> list[Waiting]:
        """Up to ``limit`` messages in the folder, oldest first, with their sizes."""
        _ok(self.imap.select(_quoted(self.config["folder"])), "select")
        uids = _ok(self.imap.uid("SEARCH", None, "ALL"), "search")[0].split()[:limit]
        if not uids:
            return []
        data = _ok(self.imap.uid("FETCH", b",".join(uids), "(RFC822.SIZE)"), "fetch sizes")
        sizes = {}
        for line in data:
            text = line.decode() if isinstance(line, bytes) else line[0].decode()
            if found := re.search(r"UID (\d+).*RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+).*UID (\d+)", text):
                uid = found.group(1) or found.group(4)
                sizes[uid.encode()] = int(found.group(2) or found.group(3))
        return [Waiting(uid, sizes.get(uid, 0)) for uid in uids]

    def fetch(self, uid: bytes) -> bytes:
        """The whole message, without marking it read."""
        data = _ok(self.imap.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch")
        for part in data:
            if isinstance(part, tuple):
                return part[1]
        raise MailboxError(f"no body for message {uid!r}")

    def move(self, uid: bytes, folder: str) -> None:
        """Out of the folder being read, into ``folder`` (made if missing); never deleted."""
        self.imap.create(_quoted(folder))  # "already exists" is fine
        if self._can_move:
            _ok(self.imap.uid("MOVE", uid, _quoted(folder)), "move")
        else:
            _ok(self.imap.uid("COPY", uid, _quoted(folder)), "copy")
            _ok(self.imap.uid("STORE", uid, "+FLAGS", r"(\Deleted)"), "mark moved")
            self.imap.expunge()


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def opened(config: dict | None = None) -> Iterator[Mailbox]:
    config = config or settings.CONFER_MAILBOX
    host, port, security = config["host"], config["port"], config["security"]
    try:
        if security == "ssl":
            connection = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=30)
        else:
            connection = imaplib.IMAP4(host, port, timeout=30)
            if security == "starttls":
                connection.starttls(ssl.create_default_context())
        connection.login(config["user"], config["password"])
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"cannot open the mailbox at {host}:{port}: {exc}") from exc
    try:
        yield Mailbox(connection, config)
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
