"""A real SMTP server (aiosmtpd) on a free loopback port, for the tests that need the
whole conversation: what a mail server accepted is what a person would receive."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_mailers(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


class Inbox:
    """Keeps every message the server accepted (replied 250 to). With ``stall_at=n``, the
    n-th message (counting from 1) is held in the DATA step until ``release`` is set, and
    then refused with a temporary failure: the sender never hears it was accepted."""

    def __init__(self, stall_at: int | None = None):
        self.envelopes = []
        self.seen = 0
        self.stall_at = stall_at
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen == self.stall_at:
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
            return "451 Try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [message_from_bytes(e.content) for e in self.envelopes]


def start_server(port: int, inbox: Inbox | None = None) -> tuple[Controller, Inbox]:
    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox
