"""The URL converter for ticket references: any reference an export carries has a URL.

Exports use references such as ``INC/2024/0001`` or ``new``: with Django's ``str`` converter
the first has no URL at all (``reverse`` raises, and the queue page that links it answers
500) and the second is the "new ticket" page. References are written into the path with a
``~`` escape, reversibly: ``~`` is ``~7E`` and ``/`` is ``~2F``, and a reference that would
be read as another page or as a relative step (``new``, ``.``, ``..``) has its first
character escaped (``~6Eew``). Everything else (spaces, ``?``, ``#``, ``%``, any letter) is
left to ``reverse``, which percent-encodes it. Ordinary references (``INC0000045``) keep their
plain URLs.
"""

from __future__ import annotations

import re
from typing import Final

RESERVED: Final = frozenset({"new", ".", ".."})
"""Path segments that are not a ticket's: the create page, and the dot segments browsers fold."""
_ESCAPE: Final = re.compile(r"[~/]")
_UNESCAPE: Final = re.compile(r"~([0-9A-F]{2})")


def _escape_char(char: str) -> str:
    return f"~{ord(char):02X}"


def encode_reference(reference: str) -> str:
    """The path segment of ``reference``: no ``/``, never a reserved word."""
    segment = _ESCAPE.sub(lambda m: _escape_char(m.group()), reference)
    if segment in RESERVED:
        segment = _escape_char(segment[0]) + segment[1:]
    return segment


def decode_reference(segment: str) -> str:
    """The reference a path segment stands for (the inverse of :func:`encode_reference`)."""
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), segment)


class TicketReferenceConverter:
    """``<ref:reference>``: one path segment, decoded to the ticket's reference."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return decode_reference(value)

    def to_url(self, value: str) -> str:
        return encode_reference(value)
