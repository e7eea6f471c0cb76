"""Bad input, every kind of it: each a row error with line, column, value and reason (or a
clear refusal of the file), never a traceback, and a refused file changes nothing stored.

The issue's list: bad encodings, truncated gzip, NUL bytes, huge fields, the DST gap and
overlap, years 1 and 9999, duplicate rows, references with ``/``, ``new``, spaces and 200
characters, e-mail addresses with a header smuggled in; and one pass reports every bad row,
parse errors and ordering errors together, keeping the first 1,000 and counting the rest.
"""

from __future__ import annotations

import gzip
import io
import tomllib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicedesk.importers import RowError, parse_mapping, read_histories
from servicedesk.importers.reader import ERRORS_KEPT, RowErrors
from servicedesk.importers.writer import ImportFileError, tickets_import
from servicedesk.models import Category, Queue, Ticket, TicketEvent
from tests.servicedesk.factories import tables
from tests.servicedesk.mappings import EVENT_COLUMNS

TOML = (
    'name = "fuzz"\n'
    + EVENT_COLUMNS
    + """summary = "Summary"
customer_email = "Email"
[defaults]
kind = "incident"
[dates]
formats = ["iso", "%d/%m/%Y %H:%M"]
timezone = "Europe/London"
[grouping]
order_by = ["sequence"]
[values.status]
New = "logged"
Working = "in_progress"
Resolved = "resolved"
"""
)
HEADER = "Ref,When,Seq,State,Team,Summary,Email\n"
GOOD = HEADER + (
    "G-1,2024-06-10T09:00:00+00:00,1,New,Desk,Printer,ann@example.gov.uk\n"
    "G-1,2024-06-10T10:00:00+00:00,2,Resolved,Desk,Printer,ann@example.gov.uk\n"
)


def mapping(**dates: object):
    data = tomllib.loads(TOML)
    data["dates"].update(dates)
    return parse_mapping(data, source="fuzz.toml")


def row(ref="T-1", when="2024-06-10T09:00:00+00:00", seq="1", state="New", team="Desk",
        summary="Printer", email="") -> str:  # fmt: skip
    return ",".join((ref, when, seq, state, team, summary, email)) + "\n"


def read(text: str | bytes, **dates: object) -> tuple[list, list[RowError]]:
    data = text.encode() if isinstance(text, str) else text
    errors: list[RowError] = []
    found = list(read_histories(io.BytesIO(data), mapping(**dates), errors=errors))
    return found, errors


def where(errors: list[RowError]) -> list[tuple[int, str | None]]:
    return [(e.line, e.column) for e in errors]


class OnePassTests:
    def test_parse_errors_and_ordering_errors_come_out_together(self):
        text = HEADER + (
            row("A-1", "2024-06-10T09:00:00+00:00", "1")
            + row("A-1", "yesterday", "2")  # line 3: a parse error
            + row("B-2", "2024-06-10T11:00:00+00:00", "1")
            + row("B-2", "2024-06-10T10:00:00+00:00", "2")  # line 5: back in time
            + row("B-2", "2024-06-10T12:00:00+00:00", "3", state="Daydreaming")  # line 6
            + row("C-3", "2024-06-10T12:00:00+00:00", "1", email="not an address")  # line 7
        )
        found, errors = read(text)
        assert [h.ticket.reference for h in found] == ["A-1"]  # the good rows of A only
        assert where(errors) == [
            (3, "When"),
            (6, "State"),
            (7, "Email"),
            (5, "When"),  # found when B-2's rows are put together
        ]
        back = errors[3]
        # The row at fault, its value, and the row it goes back from.
        assert back.value == "2024-06-10T10:00:00+00:00"
        assert "2024-06-10T10:00:00+00:00 is before 2024-06-10T11:00:00+00:00 on line 4" in (
            back.reason
        )
        assert "[grouping].order_by = ['sequence']" in back.reason
        assert all(e.reason for e in errors)

    def test_every_row_that_goes_back_is_named_once(self):
        text = HEADER + (
            row("A-1", "2024-06-10T12:00:00+00:00", "1")
            + row("A-1", "2024-06-10T09:00:00+00:00", "2")
            + row("A-1", "2024-06-10T10:00:00+00:00", "3")
            + row("A-1", "2024-06-10T13:00:00+00:00", "4")
        )
        _, errors = read(text)
        assert [e.line for e in errors] == [3, 4]
        assert all("on line 2" in e.reason for e in errors)

    @pytest.mark.django_db
    def test_a_dry_run_lists_them_all_and_counts_the_rows(self, tmp_path):
        text = HEADER + row("A-1", "yesterday") + row("B-2", "2024-06-10T11:00:00+00:00", "1")
        text += row("B-2", "2024-06-10T10:00:00+00:00", "2")
        path = tmp_path / "bad.csv"
        path.write_text(text)
        summary = tickets_import(source=path, mapping=mapping(), dry_run=True)
        assert where(summary.errors) == [(2, "When"), (4, "When")]
        assert summary.rows == 3
        assert summary.error_count == 2
        assert not Ticket.objects.exists()


def bad_rows(n: int) -> Iterator[bytes]:
    yield HEADER.encode()
    for i in range(n):
        yield row(f"T-{i}", f"the {i}th of never", "1", summary="x" * 60).encode()


class _Stream(io.RawIOBase):
    """A file of ``n`` bad rows made as it is read, so the test holds none of it."""

    def __init__(self, n: int) -> None:
        self.chunks = bad_rows(n)
        self.buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        while len(self.buffer) < len(b):
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        n = min(len(b), len(self.buffer))
        b[:n] = self.buffer[:n]
        self.buffer = self.buffer[n:]
        return n


class KeptErrorsTests:
    def test_it_keeps_the_first_thousand_and_counts_the_rest(self):
        errors = RowErrors()
        found = list(read_histories(io.BufferedReader(_Stream(2500)), mapping(), errors=errors))
        assert found == []
        assert len(errors) == ERRORS_KEPT == 1000
        assert errors.total == 2500
        assert errors.not_kept == 1500
        assert errors.rows_refused == 2500
        assert errors[0].line == 2 and errors[-1].line == 1001

    def test_memory_stays_flat_however_many_rows_are_bad(self):
        peaks = []
        for n in (20_000, 80_000):
            errors = RowErrors()
            tracemalloc.start()
            try:
                for _ in read_histories(io.BufferedReader(_Stream(n)), mapping(), errors=errors):
                    pass
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert errors.total == n
            peaks.append(peak)
        # Four times the rows, about the same memory: the kept errors and one row at a time.
        assert peaks[1] < peaks[0] * 1.5
        assert peaks[1] < 4 * 1024 * 1024

    def test_a_kept_value_is_cut_short(self):
        _, errors = read(HEADER + row(when="x" * 5000))
        assert len(errors[0].value) == 200
        assert errors[0].value.endswith("…")


class RowErrorTests:
    """Values that would break a page, a message or the database later are row errors."""

    @pytest.mark.parametrize(
        ("bad", "column", "reason"),
        [
            (row(ref="R" * 200), "Ref", "longer than 40 characters"),
            (row(ref="A\tB"), "Ref", "control character"),
            (row(ref='"A\nB"'), "Ref", "control character"),
            (row(email='"ann@example.gov.uk\nBcc: all@example.gov.uk"'), "Email", "e-mail"),
            (row(email="ann at example"), "Email", "not an e-mail address"),
            (row(summary="NUL\x00here"), "Summary", "NUL"),
            (row(ref="T\x00"), "Ref", "NUL"),
            (row(team="T\x00"), "Team", "NUL"),
            (row(summary="x" * 200_000), "Summary", "200,000 characters long"),
            (row(team="x" * 200_000), "Team", "200,000 characters long"),
            (row(team="x" * 101), "Team", "longer than 100 characters"),
            (row(when="0001-01-01T00:00:00"), "When", "the year 1 is not between"),
            (row(when="9999-12-31T23:59:59"), "When", "the year 9999 is not between"),
            (row(when="9999-12-31T23:59:59-12:00"), "When", "the year 9999"),
            (row(when="01/01/0001 00:00"), "When", "the year 1 is not"),
            (row(when="2024-03-31T01:30:00"), "When", '[dates].nonexistent = "shift_forward"'),
        ],
        ids=[
            "reference-200",
            "reference-tab",
            "reference-newline",
            "email-bcc",
            "email-not",
            "nul-summary",
            "nul-reference",
            "nul-queue",
            "huge-summary",
            "huge-queue",
            "queue-101",
            "year-1",
            "year-9999",
            "year-9999-offset",
            "year-1-strptime",
            "dst-gap",
        ],
    )
    def test_it_is_a_row_error_with_its_line_and_column(self, bad, column, reason):
        found, errors = read(HEADER + bad)
        assert found == []
        assert errors, bad
        assert (errors[0].line, errors[0].column) == (2, column)
        assert reason in errors[0].reason
        assert errors[0].value is not None

    @pytest.mark.parametrize(
        "reference", ["INC/2024/0001", "new", "with space", "~tilde", "..", "x" * 40]
    )
    def test_references_a_real_export_carries_are_accepted(self, reference):
        found, errors = read(HEADER + row(ref=reference))
        assert errors == []
        assert found[0].ticket.reference == reference

    def test_a_time_the_clocks_went_back_over_is_the_first_by_default(self):
        found, errors = read(HEADER + row(when="2024-10-27T01:30:00"))
        assert errors == []
        assert found[0].events[0].at.isoformat() == "2024-10-27T00:30:00+00:00"

    def test_a_duplicated_row_changes_nothing(self):
        once, _ = read(GOOD)
        lines = GOOD.splitlines(keepends=True)
        twice, errors = read("".join([lines[0], lines[1], lines[1], lines[2]]))
        assert errors == []
        assert [(e.kind, e.at) for e in twice[0].events] == [(e.kind, e.at) for e in once[0].events]


class FileRefusalTests:
    def test_a_file_in_another_encoding_names_the_setting(self):
        data = (HEADER + row(summary="Caf\u00e9 printer")).encode("cp1252")
        text = (
            data + row("T-2", summary="Ok").encode() + row("T-3", summary="\u00e9").encode("cp1252")
        )
        _, errors = read(text)
        # Every row with a byte the encoding cannot read, each at its own line and column.
        assert where(errors) == [(2, "Summary"), (4, "Summary")]
        assert errors[0].value == "Caf\\xe9 printer"
        assert "not valid utf-8-sig text" in errors[0].reason
        assert "[file].encoding" in errors[0].reason
        assert str(errors[0]).encode("utf-8")  # printable: no lone surrogate left

    def test_a_utf16_file_is_refused_not_misread(self):
        _, errors = read((HEADER + row()).encode("utf-16"))
        assert where(errors) == [(1, None)]
        assert "the header is unreadable" in errors[0].reason
        assert "[file].encoding" in errors[0].reason

    def test_a_truncated_gzip_file_is_a_clear_refusal(self):
        data = gzip.compress((GOOD * 50).encode())[:-30]
        with pytest.raises(EOFError):
            read(data)


@pytest.mark.django_db
class NothingChangesTests:
    """After each refused file the stored rows are exactly as they were."""

    BAD_FILES = {
        "nul": HEADER + row(summary="a\x00b"),
        "year-1": HEADER + row(when="0001-01-01T00:00:00"),
        "year-9999": HEADER + row(when="9999-12-31T23:59:00"),
        "huge": HEADER + row(summary="x" * 200_000),
        "reference-200": HEADER + row(ref="R" * 200),
        "email-bcc": HEADER + row(email='"a@example.gov.uk\nBcc: b@example.gov.uk"'),
        "dst-gap": HEADER + row(when="2024-03-31T01:30:00"),
        "back-in-time": HEADER + row(seq="1") + row(when="2024-06-10T08:00:00+00:00", seq="2"),
        "wrong-width": HEADER + "T-1,2024-06-10T09:00:00+00:00\n",
        "cp1252": (HEADER + row(summary="Caf\u00e9")).encode("cp1252"),
        "good-then-bad": GOOD + row(ref="G-1", when="yesterday", seq="3"),
    }

    @pytest.mark.parametrize("name", sorted(BAD_FILES))
    def test_a_refused_file_writes_nothing(self, tmp_path, name):
        good = tmp_path / "good.csv"
        good.write_text(GOOD)
        assert tickets_import(source=good, mapping=mapping()).errors == []
        before = tables()
        content = self.BAD_FILES[name]
        path = tmp_path / f"{name}.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        summary = tickets_import(source=path, mapping=mapping())
        assert summary.errors, name
        assert not summary.written
        assert tables() == before

    def test_a_truncated_gzip_file_writes_nothing(self, tmp_path):
        good = tmp_path / "good.csv"
        good.write_text(GOOD)
        tickets_import(source=good, mapping=mapping())
        before = tables()
        path = tmp_path / "cut.csv.gz"
        path.write_bytes(gzip.compress((GOOD + row(ref="N-1")).encode())[:-12])
        with pytest.raises(ImportFileError, match="cut.csv.gz"):
            tickets_import(source=path, mapping=mapping())
        assert tables() == before

    def test_a_reference_with_a_slash_is_stored_and_has_its_page(self, tmp_path, client_as):
        from django.urls import reverse

        from hackperf.roles import Role

        path = tmp_path / "slash.csv"
        path.write_text(HEADER + row(ref="INC/2024/0001") + row(ref="new"))
        assert tickets_import(source=path, mapping=mapping()).errors == []
        client = client_as(Role.SERVICE_DESK_AGENT)
        desk = Queue.objects.get(name="Desk")
        assert client.get(reverse("servicedesk:queue_detail", args=[desk.slug])).status_code == 200
        for reference in ("INC/2024/0001", "new"):
            page = client.get(reverse("servicedesk:ticket_detail", args=[reference]))
            assert page.context["ticket"].reference == reference


def test_the_limits_are_the_models():
    from servicedesk.importers.reader import FIELD_LIMITS

    fields = {
        "reference": Ticket._meta.get_field("reference"),
        "queue": Queue._meta.get_field("name"),
        "category": Category._meta.get_field("name"),
        "subcategory": Category._meta.get_field("name"),
        "customer_name": Ticket._meta.get_field("customer_name"),
        "customer_email": Ticket._meta.get_field("customer_email"),
        "directorate": Ticket._meta.get_field("customer_directorate"),
        "assignee": TicketEvent._meta.get_field("actor_name"),
    }
    assert FIELD_LIMITS == {name: f.max_length for name, f in fields.items()}


_ = Path
