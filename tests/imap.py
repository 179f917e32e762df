"""A real IMAP server for the tests: pymap's in-memory backend in a subprocess on
loopback, without TLS (``CONFER_MAILBOX`` security "none"), with its demo account."""

from __future__ import annotations

import email
import imaplib
import socket
import subprocess
import sys
import time
from email.utils import parseaddr
from pathlib import Path

USER, PASSWORD = "demouser", "demopass"
# The receiving mail server the tests' mailbox sits behind, as named in its
# Authentication-Results headers.
AUTHSERV_ID = "mx.confer.test"


def received(raw: bytes, verdict: str | None = None) -> bytes:
    """The message as the receiving server hands it on: its Authentication-Results header
    added on top. By default every check passed for the From address's own domain."""
    if verdict is None:
        sender = parseaddr(str(email.message_from_bytes(raw).get("From", "")))[1]
        domain = sender.rpartition("@")[2]
        verdict = f"dkim=pass header.d={domain}; spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}"
    return f"Authentication-Results: {AUTHSERV_ID}; {verdict}\r\n".encode() + raw


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ImapServer:
    def __init__(self) -> None:
        self.port = _free_port()
        pymap = Path(sys.executable).parent / "pymap"
        self.process = subprocess.Popen(
            [str(pymap), "--host", "127.0.0.1", "--port", str(self.port), "--no-tls", "dict", "--demo-data"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("pymap did not start") from None
                time.sleep(0.1)

    @property
    def config(self) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "user": USER,
            "password": PASSWORD,
            "folder": "INBOX",
            "done_folder": "Confer/Processed",
            "held_folder": "Confer/For a person",
            "max_messages": 50,
            "max_bytes": 512 * 1024,
            # As in production: only this server's verdicts count, and one is required.
            "authserv_id": AUTHSERV_ID,
            "require_authentication": True,
        }

    def client(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port)
        connection.login(USER, PASSWORD)
        return connection

    def empty_folders(self) -> None:
        """Every folder the tests use emptied (the demo data's INBOX too), for a clean start."""
        with self.client() as imap:
            for folder in ("INBOX", "Confer/Processed", "Confer/For a person"):
                if imap.select(f'"{folder}"')[0] == "OK" and imap.search(None, "ALL")[1][0]:
                    imap.store("1:*", "+FLAGS", r"(\Deleted)")
                    imap.expunge()

    def deliver(self, raw: bytes) -> None:
        with self.client() as imap:
            imap.append("INBOX", None, None, raw)

    def count(self, folder: str) -> int:
        with self.client() as imap:
            status, data = imap.select(f'"{folder}"')
            return int(data[0]) if status == "OK" else 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
