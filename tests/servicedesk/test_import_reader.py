"""Tests for streaming and normalising export rows (servicedesk/importers/reader.py).

Clock changes used: British Summer Time began Sun 31 Mar 2024 at 01:00 GMT (01:00-02:00 local
never happened) and ended Sun 27 Oct 2024 at 02:00 BST (01:00-02:00 local happened twice).
"""

from __future__ import annotations

import gzip
import inspect
import io
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from servicedesk.importers import reader
from servicedesk.importers.mapping import parse_mapping
from servicedesk.importers.reader import EventRecord, RowError, TicketRecord

TICKETS_TOML = """
shape = "ticket"
null_markers = ["", "NULL", "#N/B", "n/a"]
[columns]
reference = "Ref"
kind = "Type"
summary = "Title"
category = "Cat"
subcategory = "Sub"
priority = "Pri"
channel = "Via"
queue = "Team"
status = "State"
customer_email = "Email"
opened_at = "Opened"
resolved_at = "Resolved"
closed_at = "Closed"
reassignment_count = "Moves"
[dates]
formats = ["%d/%m/%Y %H:%M", "iso"]
timezone = "Europe/London"
[values.status]
Open = "logged"
"On Hold - Customer" = "awaiting_customer"
Fixed = "resolved"
Closed = "closed"
[values.priority]
High = "P2"
Low = "P4"
[values.kind]
Fault = "incident"
Request = "request"
"""
HEADER = "Ref,Type,Title,Cat,Sub,Pri,Via,Team,State,Email,Opened,Resolved,Closed,Moves\n"
GOOD = (
    "T1,Fault,Printer jam,MFD,Jam,High,phone,Print,Fixed,a@b.uk,"
    "04/03/2024 09:00,04/03/2024 10:00,,2\n"
)

EVENTS_TOML = """
shape = "event"
[columns]
reference = "Ref"
updated_at = "When"
status = "State"
[values.status]
New = "logged"
Working = "in_progress"
Done = "resolved"
"""


def mapping_of(text: str, **dates: object):
    data = tomllib.loads(text)
    data.setdefault("dates", {}).update(dates)
    return parse_mapping(data, source="test.toml")


def write(tmp_path: Path, text: str, name: str = "export.csv", *, gz: bool = False) -> Path:
    path = tmp_path / name
    data = text.encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def tickets(path, mapping) -> tuple[list[TicketRecord], list[RowError]]:
    errors: list[RowError] = []
    return list(reader.read_tickets(path, mapping, errors=errors)), errors


def events(path, mapping) -> tuple[list[EventRecord], list[RowError]]:
    errors: list[RowError] = []
    return list(reader.read_events(path, mapping, errors=errors)), errors


class ReaderTests:
    def test_the_records_built_positionally_keep_their_field_order(self):
        # The reader's and the history's hot loops build these records positionally (keyword
        # arguments cost a tenth of the reading): a field added or moved must be added there.
        from dataclasses import fields

        from servicedesk.importers.history import NormalisedEvent
        from servicedesk.importers.writer import _Event

        assert [f.name for f in fields(TicketRecord)] == [
            "reference", "line", "kind", "summary", "category", "priority", "channel", "queue",
            "assignee", "status", "customer_name", "customer_email", "directorate", "opened_at",
            "resolved_at", "closed_at", "updated_at", "reassignment_count", "reopen_count",
        ]  # fmt: skip
        assert [f.name for f in fields(NormalisedEvent)] == [
            "kind", "at", "status_from", "status_to", "queue_from", "queue_to", "assignee",
            "sequence", "reason", "line",
        ]  # fmt: skip
        assert [f.name for f in fields(_Event)][:10] == [
            "sequence", "kind", "at", "actor_name", "from_status", "to_status", "from_queue_id",
            "to_queue_id", "reason", "level",
        ]  # fmt: skip

    def test_it_normalises_a_ticket_row(self, tmp_path):
        [record], errors = tickets(write(tmp_path, HEADER + GOOD), mapping_of(TICKETS_TOML))
        assert errors == []
        assert record == TicketRecord(
            reference="T1",
            line=2,
            kind="incident",
            summary="Printer jam",
            category=("MFD", "Jam"),
            priority="P2",
            channel="phone",
            queue="Print",
            status="resolved",
            customer_email="a@b.uk",
            opened_at=datetime(2024, 3, 4, 9, 0, tzinfo=UTC),
            resolved_at=datetime(2024, 3, 4, 10, 0, tzinfo=UTC),
            reassignment_count=2,
        )

    def test_an_event_row_repeating_its_ticket_is_still_checked_for_nul(self, tmp_path):
        # Rows whose ticket columns repeat the previous row's reuse its record and check only
        # their other columns: a NUL there is still the row's error, and the ticket's NUL the
        # first row's alone.
        text = (
            "Ref,When,State\n"
            "T1,2024-03-04 09:00,New\n"
            "T1,2024-03-04 09:05,Work\x00ing\n"
            "T2\x00,2024-03-04 09:10,New\n"
            "T2\x00,2024-03-04 09:15,Done\n"
        )
        records, errors = events(write(tmp_path, text), mapping_of(EVENTS_TOML))
        assert [r.line for r in records] == [2]
        assert [(e.line, e.column) for e in errors if "NUL" in e.reason] == [
            (3, "State"),
            (4, "Ref"),
            (5, "Ref"),
        ]

    def test_it_reports_every_bad_row_with_its_line(self, tmp_path):
        text = (
            HEADER
            + GOOD
            + "T2,Fault,Bad status,MFD,,High,phone,Print,Parked,,04/03/2024 09:00,,,0\n"
            + 'T3,Fault,"A title\nover two lines",MFD,,Urgent,phone,Print,Open,,'
            + "04/03/2024 09:00,,,0\n"
            + "T4,Fault,Bad date,MFD,,Low,phone,Print,Open,,31/02/2024 09:00,,,x\n"
            + "T5,Fault,Too short\n"
            + ",Fault,No reference,MFD,,Low,phone,Print,Open,,04/03/2024 09:00,,,0\n"
            + "T7,Fault,No date,MFD,,Low,fax,Print,Open,,NULL,,,0\n"
            + GOOD.replace("T1", "T8")
        )
        records, errors = tickets(write(tmp_path, text), mapping_of(TICKETS_TOML))
        assert [r.reference for r in records] == ["T1", "T8"]
        assert [r.line for r in records] == [2, 10]
        found = [(e.line, e.column, e.value) for e in errors]
        assert found == [
            (3, "State", "Parked"),
            (4, "Pri", "Urgent"),  # the row starts on line 4 and ends on line 5
            (6, "Opened", "31/02/2024 09:00"),
            (6, "Moves", "x"),
            (7, None, None),
            (8, "Ref", None),
            (9, "Opened", None),
            (9, "Via", "fax"),
        ]
        assert "unknown status 'Parked': add it to [values.status]" in errors[0].reason
        assert "unknown priority 'Urgent': add it to [values.priority]" in errors[1].reason
        assert "add a [values.channel] table" in errors[-1].reason
        assert str(errors[0]) == (
            "line 3, column 'State' = 'Parked': "
            "unknown status 'Parked': add it to [values.status] in the mapping"
        )

    def test_it_reports_columns_missing_from_the_header(self, tmp_path):
        path = write(tmp_path, HEADER.replace("Pri,", "Priority,") + GOOD)
        records, errors = tickets(path, mapping_of(TICKETS_TOML))
        assert records == []
        assert [(e.line, e.column) for e in errors] == [(1, "Pri")]
        assert "priority" in errors[0].reason

    @pytest.mark.parametrize("gz", [True, False])
    @pytest.mark.parametrize("name", ["export.csv", "export.csv.gz", "upload"])
    def test_it_detects_gzip_by_content_not_by_name(self, tmp_path, gz, name):
        path = write(tmp_path, HEADER + GOOD, name, gz=gz)
        records, errors = tickets(path, mapping_of(TICKETS_TOML))
        assert errors == []
        assert [r.reference for r in records] == ["T1"]

    @pytest.mark.parametrize("gz", [True, False])
    def test_it_reads_an_uploaded_stream(self, gz):
        data = (HEADER + GOOD).encode()
        stream = io.BytesIO(gzip.compress(data) if gz else data)
        records, errors = tickets(stream, mapping_of(TICKETS_TOML))
        assert errors == [] and len(records) == 1
        assert not stream.closed  # the caller's stream is the caller's to close

    def test_it_skips_a_byte_order_mark_and_blank_lines(self, tmp_path):
        path = tmp_path / "excel.csv"
        path.write_bytes(b"\xef\xbb\xbf" + (HEADER + GOOD + "\n").encode())
        records, errors = tickets(path, mapping_of(TICKETS_TOML))
        assert errors == [] and len(records) == 1

    def test_it_reports_undecodable_bytes(self, tmp_path):
        path = tmp_path / "latin1.csv"
        bad = GOOD.replace("T1,", "T2,", 1).replace(GOOD.split(",")[2], "Café", 1)
        path.write_bytes((HEADER + GOOD).encode() + bad.encode("latin-1"))
        records, errors = tickets(path, mapping_of(TICKETS_TOML))
        # The row with the byte is refused at its own line and column; the others are read.
        assert [r.reference for r in records] == ["T1"]
        assert [(e.line, e.column) for e in errors] == [(3, "Title")]
        assert "not valid utf-8-sig" in errors[0].reason

    def test_it_treats_null_markers_as_empty(self, tmp_path):
        row = "T1,Fault,n/a,#N/B,NULL,Low,phone, NULL ,Open,n/a,04/03/2024 09:00,,,\n"
        [record], errors = tickets(write(tmp_path, HEADER + row), mapping_of(TICKETS_TOML))
        assert errors == []
        assert record.summary is None
        assert record.category == ()
        assert record.queue is None
        assert record.customer_email is None
        assert record.reassignment_count is None

    def test_it_is_lazy(self, tmp_path):
        path = write(tmp_path, HEADER + GOOD)
        errors: list[RowError] = []
        result = reader.read_records(path, mapping_of(TICKETS_TOML), errors=errors)
        assert inspect.isgenerator(result)
        assert errors == []  # nothing is read until asked

    def test_it_gives_the_physical_line_of_each_row(self, tmp_path):
        text = 'a,b\n1,"x\ny\nz"\n2,w\n'
        errors: list[RowError] = []
        rows = reader.iter_rows(write(tmp_path, text), errors=errors)
        assert [line for line, _ in rows] == [2, 5]


class InstantTests:
    """Naive times are read in the mapping's zone; times with an offset keep it."""

    def instant(self, tmp_path, value, **dates):
        text = "Ref,When,State\nT1," + value + ",New\n"
        mapping = mapping_of(EVENTS_TOML, **dates)
        records, errors = events(write(tmp_path, text), mapping)
        return (records[0] if records else None), errors

    @pytest.mark.parametrize("nonexistent", ["error", "shift_forward"])
    @pytest.mark.parametrize("ambiguous", ["error", "earlier", "later"])
    def test_times_to_the_minute_read_from_their_hour_as_parse_instant_reads_them(
        self, nonexistent, ambiguous
    ):
        # A time written to the minute is its hour's instant plus its minutes; clock-change
        # hours, impossible dates and other shapes are left to parse_instant (None).
        mapping = mapping_of(
            EVENTS_TOML,
            formats=["%d/%m/%Y %H:%M"],
            nonexistent=nonexistent,
            ambiguous=ambiguous,
        )
        hourly = reader._HourlyInstants(mapping)
        values = [
            f"{day}/{month}/2024 {hour}:{minute}"
            for day, month in ((31, 3), (27, 10), (1, 6), (29, 2), (30, 2), (1, 13))
            for hour in ("00", "0", "1", "01", "02", "23", "24")
            for minute in ("00", "0", "5", "59", "60", "005", "")
        ] + ["1/1/0001 00:00", "31/12/9999 23:59", "x", "1/1/2024 10:٣"]
        fast = 0
        for value in values:
            try:
                expected = reader.parse_instant(value, mapping)
            except ValueError:
                expected = None
            got = hourly(value)
            if got is not None:
                fast += 1
                assert got == expected, value
        assert hourly("31/3/2024 01:30") is None  # in the gap: parse_instant decides
        assert hourly("27/10/2024 01:30") is None  # twice: parse_instant decides
        assert fast > 50  # most of them

    @pytest.mark.parametrize(
        ("local", "utc"),
        [
            ("2024-03-31 00:59:59", datetime(2024, 3, 31, 0, 59, 59, tzinfo=UTC)),  # GMT
            ("2024-03-31 02:00:00", datetime(2024, 3, 31, 1, 0, tzinfo=UTC)),  # first BST
            ("2024-06-10 09:00:00", datetime(2024, 6, 10, 8, 0, tzinfo=UTC)),
            ("2024-10-27 00:59:59", datetime(2024, 10, 26, 23, 59, 59, tzinfo=UTC)),
            ("2024-10-27 02:00:00", datetime(2024, 10, 27, 2, 0, tzinfo=UTC)),  # GMT again
            ("2024-12-02 09:00:00", datetime(2024, 12, 2, 9, 0, tzinfo=UTC)),
        ],
    )
    def test_it_reads_naive_times_in_london(self, tmp_path, local, utc):
        record, errors = self.instant(tmp_path, local)
        assert errors == []
        assert record.at == utc
        assert record.at.tzinfo is UTC

    @pytest.mark.parametrize("local", ["2024-03-31 01:00:00", "2024-03-31 01:30:00"])
    def test_it_refuses_a_time_that_never_happened(self, tmp_path, local):
        record, errors = self.instant(tmp_path, local)
        assert record is None
        assert [(e.line, e.column, e.value) for e in errors] == [(2, "When", local)]
        assert "does not exist in Europe/London" in errors[0].reason
        # The refusal names the setting that would take the file.
        assert '[dates].nonexistent = "shift_forward"' in errors[0].reason

    @pytest.mark.parametrize(
        "local", ["2024-03-31 01:00:00", "2024-03-31 01:30:00", "2024-03-31 01:59:59"]
    )
    def test_it_can_read_a_time_in_the_gap_as_the_instant_the_clocks_changed(self, tmp_path, local):
        record, errors = self.instant(tmp_path, local, nonexistent="shift_forward")
        assert errors == []
        assert record.at == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)  # 02:00 BST
        assert record.source_offset == timedelta(hours=1)

    def test_shifting_the_gap_leaves_every_other_time_alone(self, tmp_path):
        record, errors = self.instant(tmp_path, "2024-03-31 02:00:01", nonexistent="shift_forward")
        assert errors == []
        assert record.at == datetime(2024, 3, 31, 1, 0, 1, tzinfo=UTC)

    def test_it_shifts_another_zones_gap_to_its_own_change(self, tmp_path):
        # Sao Paulo's clocks went from 00:00 to 01:00 on 16 Oct 2016 (UTC-3 to UTC-2).
        record, errors = self.instant(
            tmp_path,
            "2016-10-16 00:30:00",
            nonexistent="shift_forward",
            timezone="America/Sao_Paulo",
        )
        assert errors == []
        assert record.at == datetime(2016, 10, 16, 3, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("ambiguous", "utc", "offset"),
        [
            ("earlier", datetime(2024, 10, 27, 0, 30, tzinfo=UTC), timedelta(hours=1)),
            ("later", datetime(2024, 10, 27, 1, 30, tzinfo=UTC), timedelta(0)),
        ],
    )
    def test_it_resolves_a_time_that_happened_twice_as_told(self, tmp_path, ambiguous, utc, offset):
        record, errors = self.instant(tmp_path, "2024-10-27 01:30:00", ambiguous=ambiguous)
        assert errors == []
        assert record.at == utc
        assert record.source_offset == offset

    def test_it_takes_the_first_of_a_repeated_time_by_default(self, tmp_path):
        record, _ = self.instant(tmp_path, "2024-10-27 01:30:00")
        assert record.at == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)

    def test_it_can_refuse_a_repeated_time(self, tmp_path):
        record, errors = self.instant(tmp_path, "2024-10-27 01:30:00", ambiguous="error")
        assert record is None
        assert "happened twice in Europe/London" in errors[0].reason
        assert "[dates].ambiguous" in errors[0].reason

    @pytest.mark.parametrize(
        ("value", "utc", "offset"),
        [
            ("2010-03-31T16:59:42+02:00", datetime(2010, 3, 31, 14, 59, 42, tzinfo=UTC), 2),
            ("2012-01-10T09:00:00+01:00", datetime(2012, 1, 10, 8, 0, tzinfo=UTC), 1),
            ("2024-03-31T01:30:00Z", datetime(2024, 3, 31, 1, 30, tzinfo=UTC), 0),
            ("2024-10-27T01:30:00+00:00", datetime(2024, 10, 27, 1, 30, tzinfo=UTC), 0),
        ],
    )
    def test_it_keeps_the_offset_a_time_carries(self, tmp_path, value, utc, offset):
        # An explicit offset wins over the mapping's zone, even inside London's gap.
        record, errors = self.instant(tmp_path, value)
        assert errors == []
        assert record.at == utc
        assert record.source_offset == timedelta(hours=offset)

    def test_it_records_londons_offset_for_naive_times(self, tmp_path):
        record, _ = self.instant(tmp_path, "2024-06-10 09:00:00")
        assert record.source_offset == timedelta(hours=1)

    def test_it_tries_each_format_in_turn(self, tmp_path):
        text = EVENTS_TOML
        mapping = mapping_of(text, formats=["%d/%m/%Y %H:%M", "%Y%m%d"])
        body = "Ref,When,State\nT1,5/3/2016 12:00,New\nT1,20160306,Working\nT1,March 7,Done\n"
        records, errors = events(write(tmp_path, body), mapping)
        assert [r.at for r in records] == [
            datetime(2016, 3, 5, 12, 0, tzinfo=UTC),
            datetime(2016, 3, 6, 0, 0, tzinfo=UTC),
        ]
        assert [(e.line, e.value) for e in errors] == [(4, "March 7")]
        assert "%d/%m/%Y %H:%M, %Y%m%d" in errors[0].reason
