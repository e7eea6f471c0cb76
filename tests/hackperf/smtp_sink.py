"""A small, slow SMTP server for the outbox fault tests: it counts what it accepted.

It speaks enough SMTP for ``smtplib`` (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
takes ``delay`` seconds over each message after its data has arrived, like a busy relay.
A message counts as delivered only if the client is still connected when the server is
ready to say "250 accepted": a sender killed during the delay never heard the 250, so the
message was not accepted (a real server would discard it too).
"""

from __future__ import annotations

import email
import select
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Delivery:
    outbox_id: str
    message_id: str
    recipients: list[str]
    subject: str


@dataclass
class Sink:
    delay: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    discarded: int = 0  # data received from a client that vanished before the 250
    receiving: int = 0  # messages whose data has arrived (accepted or not)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def delivered_ids(self) -> list[str]:
        with self.lock:
            return [d.outbox_id for d in self.deliveries]


def _gone(sock: socket.socket) -> bool:
    """Whether the client has closed its end (a killed process's socket is closed)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink = self.server.sink
        self.reply("220 sink ESMTP")
        recipients: list[str] = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line == b".\r\n":
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                if not line:
                    return
                with sink.lock:
                    sink.receiving += 1
                time.sleep(sink.delay)
                if _gone(self.connection):
                    with sink.lock:
                        sink.discarded += 1
                    return
                parsed = email.message_from_bytes(b"".join(lines))
                with sink.lock:
                    sink.deliveries.append(
                        Delivery(
                            outbox_id=parsed.get("X-Hackperf-Outbox", ""),
                            message_id=parsed.get("Message-ID", ""),
                            recipients=recipients,
                            subject=parsed.get("Subject", ""),
                        )
                    )
                self.reply("250 accepted")
            elif verb == "RSET":
                recipients = []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    sink: Sink


def serve(port: int, sink: Sink) -> _Server:
    """Start the sink on 127.0.0.1:``port`` in a thread; call ``shutdown()`` when done."""
    server = _Server(("127.0.0.1", port), _Handler)
    server.sink = sink
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
