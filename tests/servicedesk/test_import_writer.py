"""The import writer: all or nothing, idempotent re-imports, newer exports, real logs.

Small audit logs in the BPI 2013 shape are written to a temporary folder; the real logs are
read from ../shared/data/real/ (tests that need them fail where it is absent).
"""

from __future__ import annotations

import gzip
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import IntegrityError, connection

from servicedesk import services, tallies
from servicedesk.choices import EventKind, Status
from servicedesk.importers import RowError, load_mapping, read_events, read_tickets, staging
from servicedesk.importers.writer import (
    NO_SUMMARY,
    UNASSIGNED_QUEUE,
    ImportFileError,
    tickets_import,
)
from servicedesk.models import (
    Category,
    Queue,
    QueueTally,
    Ticket,
    TicketEvent,
    TicketInterval,
)
from tests.servicedesk.factories import tables
from tests.servicedesk.test_import_presets import BPIC2013, BPIC2014, DATA, needs_real_data

HEADER = (
    "SR Number,Change Date+Time,Status,Sub Status,Involved ST,Owner First Name,"
    "SR Latest Impact,Product,Involved Org line 3\n"
)

# Two incidents: A is assigned to V30, reassigned to V5, put on hold, resolved; B is resolved
# by the first team. Times carry their offsets, as BPI 2013's do.
V1 = HEADER + (
    "A-1,2024-03-04T09:00:00+00:00,Queued,Awaiting Assignment,V30,Ann,Medium,PROD1,Org A\n"
    "A-1,2024-03-04T10:00:00+00:00,Accepted,In Progress,V30,Ann,Medium,PROD1,Org A\n"
    "A-1,2024-03-04T11:00:00+00:00,Accepted,In Progress,V5,Bob,Medium,PROD1,Org A\n"
    "A-1,2024-03-04T12:00:00+00:00,Accepted,Wait - User,V5,Bob,Medium,PROD1,Org A\n"
    "B-2,2024-03-05T09:30:00+01:00,Accepted,In Progress,V30,Cat,High,PROD2,Org B\n"
    "B-2,2024-03-05T11:30:00+01:00,Completed,Resolved,V30,Cat,High,PROD2,Org B\n"
)
# A newer export: A's history goes on (off hold, resolved), B is the same, C is new.
V2 = V1 + (
    "C-3,2024-03-06T09:00:00+00:00,Accepted,In Progress,V7,Dee,Low,PROD1,Org A\n"
    "A-1,2024-03-05T09:00:00+00:00,Accepted,In Progress,V5,Bob,Medium,PROD1,Org A\n"
    "A-1,2024-03-05T10:00:00+00:00,Completed,Resolved,V5,Bob,Medium,PROD1,Org A\n"
)
# The file is grouped by ticket: put the appended rows of A back with A's.
V2 = HEADER + "".join(sorted(V2.splitlines(keepends=True)[1:], key=lambda line: line.split(",")[0]))

BAD = HEADER + (
    "A-1,2024-03-04T09:00:00+00:00,Queued,Awaiting Assignment,V30,Ann,Medium,PROD1,Org A\n"
    "A-1,yesterday,Accepted,In Progress,V30,Ann,Medium,PROD1,Org A\n"  # line 3: bad date
    "B-2,2024-03-05T09:30:00+01:00,Accepted,Daydreaming,V30,Cat,High,PROD2,Org B\n"  # 4: status
    "B-2,2024-03-05T11:30:00+01:00,Completed,Resolved,V30\n"  # line 5: too few fields
    "C-3,2024-03-06T09:00:00+00:00,Accepted,In Progress,V7,Dee,Low,PROD1,Org A\n"
)


def write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Queue, Category, Ticket, TicketEvent, TicketInterval)
    )


def as_of_mismatches() -> list:
    """Intervals and events whose as-of columns (``servicedesk.as_of``) are not what the
    history says: no imported ticket is reclassified, so an interval has its ticket's kind,
    category and logging instant, and an event its latest interval's queue, kind and category
    and its ticket's channel."""
    tickets = {
        pk: (kind, category, logged, channel)
        for pk, kind, category, logged, channel in Ticket.objects.values_list(
            "pk", "kind", "category_id", "logged_at", "channel"
        )
    }
    wrong = []
    intervals: dict[int, list] = {}
    for row in TicketInterval.objects.order_by("ticket_id", "started_at", "pk").values_list(
        "ticket_id", "started_at", "queue_id", "kind", "category_id", "logged_at"
    ):
        ticket, started, queue, kind, category, logged = row
        intervals.setdefault(ticket, []).append((started, queue, kind, category))
        if (kind, category, logged) != tickets[ticket][:3]:
            wrong.append(("interval", row))
    for row in TicketEvent.objects.values_list(
        "ticket_id", "at", "ticket_queue_id", "ticket_kind", "ticket_category_id", "ticket_channel"
    ):
        ticket, at, *as_of = row
        latest = [i for i in intervals[ticket] if i[0] <= at][-1]
        if as_of != [*latest[1:], tickets[ticket][3]]:
            wrong.append(("event", row))
    return wrong


@pytest.mark.django_db
class ImportWriterTests:
    def test_it_imports_an_audit_log_with_the_services_rules(self, tmp_path, targets):
        summary = tickets_import(source=write(tmp_path, V1), mapping=load_mapping("bpic2013"))
        assert summary.errors == []
        assert (summary.rows, summary.tickets, summary.created) == (6, 2, 2)
        assert summary.events_added == TicketEvent.objects.count()
        a = Ticket.objects.get(reference="A-1")
        assert (a.status, a.queue.name, a.reassignment_count) == (
            Status.AWAITING_CUSTOMER,
            "V5",
            1,
        )
        assert a.summary == NO_SUMMARY
        assert a.category.name == "PROD1"
        assert a.customer_directorate == "Org A"
        assert a.logged_at == datetime(2024, 3, 4, 9, tzinfo=UTC)
        kinds = list(a.events.order_by("sequence").values_list("kind", flat=True))
        assert kinds == [
            EventKind.LOGGED,
            EventKind.ASSIGNED,
            EventKind.STATUS_CHANGED,  # logged -> assigned (queued in V30)
            EventKind.STATUS_CHANGED,  # assigned -> in progress
            EventKind.REASSIGNED,
            EventKind.ON_HOLD,
        ]
        b = Ticket.objects.get(reference="B-2")
        assert b.logged_at == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)  # 09:30+01:00
        assert b.last_resolved_at == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)
        assert b.business_resolution_seconds == 90 * 60  # logged 08:30 GMT, the day starts at 9
        assert b.sla_target_seconds == 8 * 3600

        # The services' own rebuild from the stored events changes nothing: same rules.
        def derived():
            intervals = TicketInterval.objects.order_by("ticket_id", "started_at", "pk")
            return tables()[2], [row[1:] for row in intervals.values_list()]

        assert as_of_mismatches() == []
        for ticket in (a, b):
            before = derived()
            services.ticket_history_rebuild(ticket=ticket)
            assert derived() == before

    def test_it_writes_nothing_and_reports_every_bad_row(self, tmp_path):
        summary = tickets_import(source=write(tmp_path, BAD), mapping=load_mapping("bpic2013"))
        assert sorted({e.line for e in summary.errors}) == [3, 4, 5]
        by_line = {e.line: e for e in summary.errors}
        assert (by_line[3].column, by_line[3].value) == ("Change Date+Time", "yesterday")
        assert by_line[4].value == "Accepted/Daydreaming"
        assert "fields" in by_line[5].reason
        assert not summary.written
        assert counts() == (0, 0, 0, 0, 0)

    def test_it_writes_nothing_on_a_dry_run_but_counts_everything(self, tmp_path):
        summary = tickets_import(
            source=write(tmp_path, V1), mapping=load_mapping("bpic2013"), dry_run=True
        )
        assert summary.errors == []
        assert (summary.created, summary.queues_created, summary.categories_created) == (2, 2, 2)
        assert summary.events_added == 10
        assert not summary.written
        assert counts() == (0, 0, 0, 0, 0)

    def test_it_changes_nothing_when_the_same_file_is_imported_again(self, tmp_path):
        path = write(tmp_path, V1)
        tickets_import(source=path, mapping=load_mapping("bpic2013"))
        before = tables()
        summary = tickets_import(source=path, mapping=load_mapping("bpic2013"))
        assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
        assert summary.events_added == 0
        assert tables() == before

    def test_it_appends_a_newer_exports_events_and_adds_its_new_tickets(self, tmp_path):
        mapping = load_mapping("bpic2013")
        tickets_import(source=write(tmp_path, V1), mapping=mapping)
        a_events = list(TicketEvent.objects.filter(ticket__reference="A-1").values_list("pk"))
        b_before = list(TicketEvent.objects.filter(ticket__reference="B-2").values_list())

        summary = tickets_import(source=write(tmp_path, V2, "newer.csv"), mapping=mapping)

        assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
        assert summary.events_removed == 0
        a = Ticket.objects.get(reference="A-1")
        assert (a.status, a.last_sequence, a.reopen_count) == (Status.RESOLVED, 8, 0)
        assert a.last_resolved_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
        # A's first six events are the same rows: only the two new ones were added.
        assert list(a.events.order_by("pk").values_list("pk"))[:6] == a_events
        assert list(TicketEvent.objects.filter(ticket__reference="B-2").values_list()) == b_before
        assert Ticket.objects.get(reference="C-3").queue.name == "V7"
        # And the newer file imported again changes nothing.
        before = tables()
        tickets_import(source=tmp_path / "newer.csv", mapping=mapping)
        assert tables() == before

    def test_it_replaces_a_history_the_source_rewrote(self, tmp_path):
        mapping = load_mapping("bpic2013")
        tickets_import(source=write(tmp_path, V1), mapping=mapping)
        rewritten = V1.replace("Accepted,Wait - User,V5", "Accepted,Wait - Vendor,V5")
        summary = tickets_import(source=write(tmp_path, rewritten, "v1b.csv"), mapping=mapping)
        assert (summary.updated, summary.unchanged) == (1, 1)
        assert summary.events_removed == 6
        a = Ticket.objects.get(reference="A-1")
        assert a.status == Status.AWAITING_SUPPLIER
        assert a.events.count() == 6
        assert a.intervals.filter(ended_at__isnull=True).get().status == Status.AWAITING_SUPPLIER

    def test_it_keeps_the_events_added_here_since_the_export(self, tmp_path):
        mapping = load_mapping("bpic2013")
        path = write(tmp_path, V1)
        tickets_import(source=path, mapping=mapping)
        a = Ticket.objects.get(reference="A-1")
        services.ticket_take_off_hold(
            ticket=a, actor=None, at=datetime(2024, 3, 6, 9, tzinfo=UTC), actor_name="Eve"
        )
        before = tables()
        summary = tickets_import(source=path, mapping=mapping)
        assert summary.unchanged == 2
        assert tables() == before
        a.refresh_from_db()
        assert (a.status, a.last_sequence) == (Status.IN_PROGRESS, 7)

    def test_it_counts_reassignments_to_the_same_queue_from_an_activity_log(self, tmp_path):
        log = (
            "incident_id,data_stamp,incident_activity_number,incident_activity_type,"
            "assignment_group\n"
            "IM1,2013-03-04 09:00:00,001,Open,TEAM1\n"
            "IM1,2013-03-04 10:00:00,002,Reassignment,TEAM1\n"
            "IM1,2013-03-04 11:00:00,003,Reassignment,TEAM2\n"
            "IM1,2013-03-04 12:00:00,004,Resolved,TEAM2\n"
        )
        path = write(tmp_path, log)
        summary = tickets_import(source=path, mapping=load_mapping("bpic2014_activities"))
        assert summary.errors == []
        ticket = Ticket.objects.get(reference="IM1")
        assert ticket.reassignment_count == 2
        team1 = Queue.objects.get(name="TEAM1").pk
        same = ticket.events.get(sequence=3)  # after logged (TEAM1) and assigned (TEAM1)
        assert (same.kind, same.from_queue_id, same.to_queue_id) == (
            EventKind.REASSIGNED,
            team1,
            team1,
        )
        assert ticket.logged_at == datetime(2013, 3, 4, 8, tzinfo=UTC)  # CET, naive in the file

    def test_it_imports_a_ticket_shaped_export_into_a_category_tree(self, tmp_path):
        summary = tickets_import(
            source=DATA / "ivanti_landesk_incidents.csv", mapping=load_mapping("ivanti_landesk")
        )
        assert summary.errors == []
        assert summary.created == 5
        mfd = Ticket.objects.get(reference="104211")
        assert (mfd.category.parent.name, mfd.category.name) == (
            "MFD Print and Copy",
            "Print queue",
        )
        assert (mfd.status, mfd.channel, mfd.customer_email) == (
            Status.CLOSED,
            "phone",
            "priya.shah@example.gov.uk",
        )
        starter = Ticket.objects.get(reference="104212")
        assert (starter.kind, starter.queue.name) == ("request", "Identity and Access")
        assert not Queue.objects.filter(name=UNASSIGNED_QUEUE).exists()

    def test_it_keeps_the_exports_own_counts_beside_the_derived_ones(self, tmp_path):
        summary = tickets_import(
            source=DATA / "ivanti_landesk_incidents.csv", mapping=load_mapping("ivanti_landesk")
        )
        assert summary.errors == []
        mfd = Ticket.objects.get(reference="104211")
        # A ticket-shaped file's history is a sketch: no reassignment can be derived from it.
        assert (mfd.export_reassignment_count, mfd.reassignment_count) == (1, 0)
        assert mfd.export_reopen_count == 0
        # An audit log without counts of its own leaves them empty.
        tickets_import(source=write(tmp_path, V1), mapping=load_mapping("bpic2013"))
        a = Ticket.objects.get(reference="A-1")
        assert (a.export_reassignment_count, a.export_reopen_count) == (None, None)

    def test_it_never_gives_a_queue_a_slug_the_urls_use(self, tmp_path):
        text = HEADER + "Q-1,2024-03-04T09:00:00+00:00,Accepted,In Progress,Import,,Low,P,O\n"
        tickets_import(source=write(tmp_path, text), mapping=load_mapping("bpic2013"))
        assert Queue.objects.get(name="Import").slug == "import-2"

    def test_it_refuses_an_unreadable_gzip_file(self, tmp_path):
        path = tmp_path / "broken.csv.gz"
        path.write_bytes(gzip.compress(V1.encode())[:40])
        with pytest.raises(ImportFileError, match="broken.csv.gz"):
            tickets_import(source=path, mapping=load_mapping("bpic2013"))
        assert counts() == (0, 0, 0, 0, 0)

    def test_it_reports_an_over_long_reference(self, tmp_path):
        text = V1 + "X" * 41 + ",2024-03-06T09:00:00+00:00,Accepted,In Progress,V7,,Low,P,O\n"
        summary = tickets_import(source=write(tmp_path, text), mapping=load_mapping("bpic2013"))
        assert [(e.line, e.column) for e in summary.errors] == [(8, "SR Number")]
        assert counts() == (0, 0, 0, 0, 0)


@needs_real_data
@pytest.mark.django_db
class RealLogImportTests:
    def test_it_reconciles_bpi_2014_reassignments_from_the_database(self):
        summary = tickets_import(
            source=BPIC2014 / "incident_activities.csv",
            mapping=load_mapping("bpic2014_activities"),
        )
        assert summary.errors == []
        errors: list[RowError] = []
        theirs = {
            t.reference: t.reassignment_count
            for t in read_tickets(
                BPIC2014 / "incidents.csv", load_mapping("bpic2014_incidents"), errors=errors
            )
        }
        ours = dict(Ticket.objects.values_list("reference", "reassignment_count"))
        matching = sum(1 for ref, count in theirs.items() if ours.get(ref, 0) == count)
        assert len(theirs) == 4000
        # 3,890 of 4,000 (97.25%), the figure of the parsing layer's own reconciliation.
        assert matching == 3890
        assert matching / len(theirs) >= 0.97

    def test_it_imports_bpi_2013_with_the_source_instants(self):
        mapping = load_mapping("bpic2013")
        summary = tickets_import(source=BPIC2013, mapping=mapping)
        assert summary.errors == []
        assert (summary.rows, summary.created, summary.events_added) == (65533, 7554, 81137)
        assert Ticket.objects.count() == 7554
        assert TicketEvent.objects.count() == 81137

        source: set[tuple[str, datetime]] = set()
        first: dict[str, datetime] = {}
        offsets: Counter = Counter()
        for record in read_events(BPIC2013, mapping, errors=[]):
            source.add((record.reference, record.at))
            first.setdefault(record.reference, record.at)
            offsets[record.source_offset] += 1
        stored = set(TicketEvent.objects.values_list("ticket__reference", "at"))
        # Every event is at an instant the log gives for its incident, and each incident is
        # logged at its first row's instant (+01:00 and +02:00 rows alike).
        assert stored <= source
        assert dict(Ticket.objects.values_list("reference", "logged_at")) == first
        assert len(offsets) == 2
        winter = Ticket.objects.get(reference="1-364285768")
        assert winter.logged_at == datetime(2010, 3, 31, 14, 59, 42, tzinfo=UTC)


IVANTI_HEADER = (
    "Incident Number,Type,Title,Category,Subcategory,Priority,Source,Current Assigned Group,"
    "Current Assigned Analyst,Status,Raise User,Raise User Email,Raise User Department,"
    "Creation Date,Resolved Date,Closed Date,Last Update,Reassignment Count,Reopen Count\n"
)
# Ticket A-1 of the audit log above, as a one-row-per-ticket export sees it: it names the
# kind (a request) and the summary, which the audit log does not have.
A1_AS_TICKET = IVANTI_HEADER + (
    "A-1,Service Request,New starter laptop,PROD1,,3 - Medium,Phone,V5,Bob,In Progress,"
    "Ann Lee,ann.lee@example.gov.uk,Org A,04/03/2024 09:00,,,04/03/2024 12:00,1,0\n"
)


@pytest.mark.django_db
class CombinedExportsTests:
    """A ticket-per-row export and an audit log of the same tickets combine, in either order."""

    def test_a_ticket_export_after_the_audit_log_keeps_the_history_and_takes_the_fields(
        self, tmp_path, targets
    ):
        tickets_import(source=write(tmp_path, V1), mapping=load_mapping("bpic2013"))
        # The events themselves; not their as-of columns, derived from the ticket's kind.
        recorded = [f.attname for f in TicketEvent._meta.concrete_fields][:-4]
        history = list(
            TicketEvent.objects.filter(ticket__reference="A-1")
            .order_by("sequence")
            .values_list(*recorded)
        )
        summary = tickets_import(
            source=write(tmp_path, A1_AS_TICKET, "tickets.csv"),
            mapping=load_mapping("ivanti_landesk"),
        )
        assert summary.errors == []
        a = Ticket.objects.get(reference="A-1")
        assert (a.kind, a.summary) == ("request", "New starter laptop")
        assert (
            list(TicketEvent.objects.filter(ticket=a).order_by("sequence").values_list(*recorded))
            == history
        )
        assert (a.status, a.reassignment_count) == (Status.AWAITING_CUSTOMER, 1)
        # The kind the ticket export gave is the kind of the whole history (no event says
        # when it changed): the snapshots count it as a request throughout.
        assert as_of_mismatches() == []

    def test_an_audit_log_after_the_ticket_export_keeps_the_kind_it_only_defaults(
        self, tmp_path, targets
    ):
        tickets_import(
            source=write(tmp_path, A1_AS_TICKET, "tickets.csv"),
            mapping=load_mapping("ivanti_landesk"),
        )
        tickets_import(source=write(tmp_path, V1), mapping=load_mapping("bpic2013"))
        a = Ticket.objects.get(reference="A-1")
        # bpic2013's [defaults] kind = "incident" fills new tickets, never overwrites.
        assert (a.kind, a.summary) == ("request", "New starter laptop")
        # The audit log's richer history replaces the export's sketch of it.
        assert a.reassignment_count == 1
        assert a.status == Status.AWAITING_CUSTOMER
        assert Ticket.objects.get(reference="B-2").kind == "incident"
        assert as_of_mismatches() == []


class ReservedQueueSlugTests:
    @pytest.mark.parametrize("slug", ["tickets", "import", "surveys"])
    def test_a_queue_cannot_take_the_address_of_another_page(self, slug):
        from django.core.exceptions import ValidationError

        from servicedesk.models import validate_queue_slug

        with pytest.raises(ValidationError, match="another page under /queues/"):
            validate_queue_slug(slug)


UCI = BPIC2014.parent / "uci-incident-event-log" / "incident_event_log.csv.gz"


def _sample(source: Path, into: Path, *, keys: set[str] | None = None, tickets: int = 0) -> set:
    """The header and the rows of the first ``tickets`` tickets (or of ``keys``) of a CSV file,
    gzip-compressed or not; returns the tickets' references (the first column)."""
    opener = gzip.open if source.suffix == ".gz" else open
    kept: set[str] = set()
    with opener(source, "rt", encoding="utf-8", newline="") as f, into.open("w") as out:
        out.write(next(f))
        for line in f:
            key = line.split(",", 1)[0]
            if keys is not None:
                if key in keys:
                    out.write(line)
                continue
            if key not in kept and len(kept) >= tickets:
                break
            kept.add(key)
            out.write(line)
    return kept


def _sorted(rows) -> list:
    """Rows in a fixed order, NULLs and all."""
    return sorted(rows, key=repr)


def _stored() -> tuple:
    """What the imports stored, by natural keys (references, queue names, category paths):
    the two paths take their keys in a different order, the rows must be the same."""
    queues = dict(Queue.objects.values_list("pk", "name"))
    categories = {
        pk: (parent, name)
        for pk, parent, name in Category.objects.values_list("pk", "parent", "name")
    }

    def path(pk):
        names = []
        while pk is not None:
            pk, name = categories[pk]
            names.append(name)
        return "/".join(reversed(names))

    references = dict(Ticket.objects.values_list("pk", "reference"))
    natural = {Queue: queues.get, Category: path, Ticket: references.get}

    def rows(model) -> list:
        """Every stored column of ``model`` but its key, queues, categories and tickets by
        their natural keys (people stay as they are: both paths find the same users)."""
        fields = model._meta.concrete_fields[1:]
        keyed = [natural.get(f.related_model) if f.is_relation else None for f in fields]
        return _sorted(
            tuple(
                (f.attname, value if by is None else by(value))
                for f, by, value in zip(fields, keyed, row, strict=True)
            )
            for row in model.objects.values_list(*[f.attname for f in fields])
        )

    tickets, events, intervals = rows(Ticket), rows(TicketEvent), rows(TicketInterval)
    return _sorted(queues.values()), _sorted(map(path, categories)), tickets, events, intervals


def _wipe() -> None:
    TicketEvent.objects.all().delete()
    TicketInterval.objects.all().delete()
    Ticket.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Queue.objects.all().delete()


@pytest.mark.django_db
class StagedImportTests:
    """PostgreSQL's one-pass import through temporary tables stores exactly what the two-pass
    path (SQLite's, and ``staged=False``) stores, in every case the merge rules distinguish."""

    def scenarios(self, tmp_path):
        bpic2013, ivanti = load_mapping("bpic2013"), load_mapping("ivanti_landesk")
        incidents, activities = (
            load_mapping("bpic2014_incidents"),
            load_mapping("bpic2014_activities"),
        )
        rewritten = V1.replace("Accepted,Wait - User,V5", "Accepted,Wait - Vendor,V5")
        v1, v2 = write(tmp_path, V1, "v1.csv"), write(tmp_path, V2, "v2.csv")
        a1 = write(tmp_path, A1_AS_TICKET, "a1.csv")
        uci = tmp_path / "uci.csv"
        _sample(UCI, uci, tickets=400)
        bpi_incidents, bpi_activities = tmp_path / "incidents.csv", tmp_path / "activities.csv"
        keys = _sample(BPIC2014 / "incidents.csv", tmp_path / "first.csv", tickets=300)
        _sample(BPIC2014 / "incidents.csv", bpi_incidents, keys=keys)
        _sample(BPIC2014 / "incident_activities.csv", bpi_activities, keys=keys)

        return {
            "newer export": [(v1, bpic2013), (v2, bpic2013)],
            # The stored events it appends to are refilled with the new category.
            "newer export, new category": [
                (v1, bpic2013),
                (write(tmp_path, V2.replace("PROD1,Org A", "PROD9,Org A"), "v2b.csv"), bpic2013),
            ],
            "same file twice": [(v2, bpic2013), (v2, bpic2013)],
            "rewritten history": [(v1, bpic2013), (write(tmp_path, rewritten), bpic2013)],
            "ticket export after the log": [(v1, bpic2013), (a1, ivanti)],
            "log after the ticket export": [(a1, ivanti), (v1, bpic2013)],
            "category tree": [(DATA / "ivanti_landesk_incidents.csv", ivanti)],
            "UCI, 400 incidents": [(uci, load_mapping("uci_servicenow"))],
            "BPI 2014, incidents then activities": [
                (bpi_incidents, incidents),
                (bpi_activities, activities),
            ],
            "BPI 2014, activities then incidents": [
                (bpi_activities, activities),
                (bpi_incidents, incidents),
            ],
        }

    @needs_real_data
    def test_it_stores_what_the_two_pass_path_stores(self, tmp_path, targets):
        for name, steps in self.scenarios(tmp_path).items():
            results = {}
            for staged in (False, True):
                _wipe()
                summaries = []
                for path, mapping in steps:
                    summary = tickets_import(source=path, mapping=mapping, staged=staged)
                    assert summary.errors == [], (name, summary.errors[:3])
                    summaries.append(summary.lines()[:-1])  # all but the time taken
                    assert as_of_mismatches() == [], (name, staged)
                results[staged] = (summaries, _stored())
            assert results[True] == results[False], name

    def test_it_keeps_the_events_added_here_since_the_export(self, tmp_path):
        mapping = load_mapping("bpic2013")
        path = write(tmp_path, V1)
        results = {}
        for staged in (False, True):
            _wipe()
            tickets_import(source=path, mapping=mapping, staged=staged)
            a = Ticket.objects.get(reference="A-1")
            services.ticket_take_off_hold(
                ticket=a, actor=None, at=datetime(2024, 3, 6, 9, tzinfo=UTC), actor_name="Eve"
            )
            changed = write(tmp_path, V1.replace("PROD1,Org A", "PROD9,Org A"), "changed.csv")
            summary = tickets_import(source=changed, mapping=mapping, staged=staged)
            assert summary.errors == []
            results[staged] = (summary.lines()[:-1], _stored())
        assert results[True] == results[False]
        a = Ticket.objects.get(reference="A-1")
        assert (a.status, a.last_sequence, a.category.name) == (Status.IN_PROGRESS, 7, "PROD9")

    def test_it_writes_each_event_and_interval_once(self, tmp_path, targets, table_writes):
        """Their as-of columns go in with them: none is updated after its insert (filling
        them afterwards rewrote every row of an import, half the UCI log's database time)."""
        before = table_writes(TicketEvent, TicketInterval)
        summary = tickets_import(source=write(tmp_path, V2), mapping=load_mapping("bpic2013"))
        assert summary.errors == []
        after = table_writes(TicketEvent, TicketInterval)
        for table, (inserted, updated, deleted) in after.items():
            assert (updated, deleted) == before[table][1:], table
            assert inserted > before[table][0], table
        assert as_of_mismatches() == []

    def test_a_refused_file_leaves_no_temporary_table(self, tmp_path, table_writes):
        before = table_writes(Queue, Category, Ticket, TicketEvent, TicketInterval)
        summary = tickets_import(source=write(tmp_path, BAD), mapping=load_mapping("bpic2013"))
        assert summary.errors
        assert table_writes(Queue, Category, Ticket, TicketEvent, TicketInterval) == before
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE %s", ["sd_import_%"])
            assert cursor.fetchone() == (0,)


def tally_rows() -> list[tuple[int, str, int, int]]:
    """Every queue tally (``servicedesk.tallies``): queue, measure, key and count."""
    return list(QueueTally.objects.values_list("queue_id", "measure", "key", "n"))


@pytest.mark.django_db
class ForeignKeyCheckTests:
    """The staged move checks foreign keys once per key, then inserts without the per-row
    triggers (servicedesk.importers.staging): the same rows, the same refusals."""

    def test_it_stores_the_same_rows_with_the_per_row_triggers(self, tmp_path, monkeypatch):
        mapping = load_mapping("bpic2013")
        results = {}
        for shortcut in (False, True):
            _wipe()
            monkeypatch.setattr(
                staging, "_may_skip_key_triggers", lambda cursor, tables, s=shortcut: s
            )
            for text in (V1, V2):
                assert tickets_import(source=write(tmp_path, text), mapping=mapping).errors == []
            results[shortcut] = _stored()
        assert results[True] == results[False]

    def test_it_is_used_here_and_leaves_the_setting_as_it_was(self, tmp_path):
        with connection.cursor() as cursor:
            # The tests' role is a superuser; the tallies' triggers on the ticket table fire
            # always (migration 0015), so replica mode skips nothing but the keys' triggers.
            tables = [m._meta.db_table for m in (Ticket, TicketEvent, TicketInterval)]
            assert staging._may_skip_key_triggers(cursor, tables)
            tickets_import(source=write(tmp_path, V1), mapping=load_mapping("bpic2013"))
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone() == ("origin",)
            # A trigger that fires in origin mode only would be skipped: no shortcut there.
            cursor.execute(
                "ALTER TABLE servicedesk_ticket ENABLE TRIGGER servicedesk_queuetally_insert"
            )
            assert not staging._may_skip_key_triggers(cursor, [Ticket._meta.db_table])

    def test_the_queue_tallies_stay_exact_through_the_shortcut(self, tmp_path, targets):
        tickets_import(source=write(tmp_path, V2), mapping=load_mapping("bpic2013"))
        queues = list(Queue.objects.values_list("pk", flat=True))
        before = sorted(tally_rows())
        assert before  # the import's tickets were counted
        tallies.queue_tallies_rebuild(queue_ids=queues)
        assert sorted(tally_rows()) == before

    def test_a_missing_key_is_refused_as_the_trigger_would(self):
        queue = Queue.objects.create(name="Q", slug="q")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE fk_probe (ticket_id integer, queue_id integer)")
            cursor.execute("INSERT INTO fk_probe VALUES (NULL, %s)", [queue.pk])
            table = TicketInterval._meta.db_table
            columns = {"ticket_id": None, "queue_id": None}
            staging._check_keys(cursor, table, "fk_probe", columns)  # NULL and a real key
            cursor.execute("INSERT INTO fk_probe VALUES (%s, %s)", [2**31 - 1, queue.pk])
            with pytest.raises(IntegrityError, match="ticket_id"):
                staging._check_keys(cursor, table, "fk_probe", columns)
            cursor.execute("DROP TABLE fk_probe")

    def test_a_stand_in_key_needs_its_mapping(self):
        """A negative key is a stand-in for a row the import creates: it passes only if the
        stage maps it to one."""
        queue = Queue.objects.create(name="Q", slug="q")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE fk_probe (ticket_id integer, queue_id integer)")
            cursor.execute("CREATE TEMP TABLE fk_keys (stand_in integer, id integer)")
            cursor.execute("INSERT INTO fk_probe VALUES (NULL, -1)")
            cursor.execute("INSERT INTO fk_keys VALUES (-1, %s)", [queue.pk])
            table = TicketInterval._meta.db_table
            staging._check_keys(cursor, table, "fk_probe", {"queue_id": "fk_keys"})
            cursor.execute("INSERT INTO fk_probe VALUES (NULL, -2)")
            with pytest.raises(IntegrityError, match="queue_id"):
                staging._check_keys(cursor, table, "fk_probe", {"queue_id": "fk_keys"})
            with pytest.raises(IntegrityError, match="queue_id"):
                staging._check_keys(cursor, table, "fk_probe", {"queue_id": None})
            cursor.execute("DROP TABLE fk_probe, fk_keys")


@needs_real_data
@pytest.mark.django_db
class ProgressTests:
    """The progress page's ticket count keeps up with its rows on both paths."""

    @pytest.mark.parametrize("staged", [True, False])
    def test_the_ticket_count_keeps_up_with_the_rows_read(self, tmp_path, staged):
        source = tmp_path / "uci.csv"
        found = _sample(UCI, source, tickets=600)
        reports: list[tuple[str, int, int | None]] = []

        def progress(phase, rows, total, *, items=None):
            reports.append((phase, rows, items))

        summary = tickets_import(
            source=source,
            mapping=load_mapping("uci_servicenow"),
            batch_size=10_000,  # one batch: the old count read 0 until the end of the pass
            progress=progress,
            staged=staged,
        )
        assert summary.tickets == len(found) and not summary.errors
        midway = [(rows, items) for _, rows, items in reports if 0 < rows < summary.rows]
        assert midway, reports  # reported during the pass, every PROGRESS_EVERY rows
        assert all(items and items > 0 for _, items in midway), midway
