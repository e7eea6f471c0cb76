"""Demo service-desk data: ~15 queues, a category tree, SLA targets and a year of tickets.

``seed(tickets=N, seed=2026, now=...)`` is deterministic for a seed and ``now``: arrivals in
working hours with a Monday peak and a September new-starter surge, MFD print faults, and
histories with reassignments (some back and forth), holds, escalations and reopens. Events
are replayed by the same rules as the services (``servicedesk.history``).

Tickets are made and written in batches, so memory stays flat whatever ``tickets`` is. On
PostgreSQL each batch goes in with ``COPY`` (``hackperf.copy``, on a second thread, so the
database loads one batch while Python makes the next), and a big seed (``BIG_SEED`` tickets
or more, e.g. ``seed_demo --tickets 1000000`` for the benchmark database) drops the three
tables' secondary indexes and foreign keys first and rebuilds them at the end, as
``pg_restore`` does, since building an index once is much cheaper than keeping it up to date
row by row. Elsewhere
(SQLite) it is ``bulk_create``. Running it again replaces the previous demo tickets
(references ``DEMO-...``).
"""

from __future__ import annotations

import itertools
import math
import operator
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from hackperf.copy import Copier, Job
from hackperf.windows import LONDON
from servicedesk.calendars import holiday_calendar, queue_calendar
from servicedesk.choices import Channel, EventKind, Kind, Status
from servicedesk.history import (
    INTERVAL_COLUMNS,
    IntervalRow,
    derived_fields,
    events_as_of,
    replay,
)
from servicedesk.models import Category, Queue, SlaTarget, Ticket, TicketEvent, TicketInterval
from servicedesk.services import AS_OF_FIELDS

HOUR = 3600
DEMO_PREFIX = "DEMO-"
BATCH_SIZE = 5000
BIG_SEED = 100_000
"""From this many tickets (on PostgreSQL) indexes and foreign keys are rebuilt after loading."""

QUEUES: tuple[tuple[str, str], ...] = (
    ("Service desk", "service-desk"),
    ("Networks", "networks"),
    ("Desktop", "desktop"),
    ("Applications", "applications"),
    ("Telephony", "telephony"),
    ("MFD print and copy", "mfd-print-and-copy"),
    ("Identity and access", "identity-and-access"),
    ("Servers and storage", "servers-and-storage"),
    ("Databases", "databases"),
    ("Web and digital", "web-and-digital"),
    ("Information security", "information-security"),
    ("Mobile devices", "mobile-devices"),
    ("Schools ICT", "schools-ict"),
    ("Revenues and benefits systems", "revenues-and-benefits-systems"),
    ("Social care systems", "social-care-systems"),
)

MFD = "mfd-print-and-copy"

# (parent, leaf, flag, queue slug, kind, weight)
CATEGORIES: tuple[tuple[str, str, str, str, str, float], ...] = (
    ("Hardware", "Laptop fault", "", "desktop", Kind.INCIDENT, 10),
    ("Hardware", "Monitor or dock", "", "desktop", Kind.INCIDENT, 5),
    ("Printing", "MFD print and copy fault", "is_mfd_print", MFD, Kind.INCIDENT, 8),
    ("Printing", "Toner and paper", "is_mfd_print", MFD, Kind.REQUEST, 3),
    ("Accounts", "New starter", "is_new_starter", "identity-and-access", Kind.REQUEST, 5),
    ("Accounts", "Mover", "is_mover", "identity-and-access", Kind.REQUEST, 3),
    ("Accounts", "Leaver", "is_leaver", "identity-and-access", Kind.REQUEST, 3),
    ("Accounts", "Password reset", "", "service-desk", Kind.REQUEST, 12),
    ("Network", "Wi-Fi", "", "networks", Kind.INCIDENT, 5),
    ("Network", "VPN", "", "networks", Kind.INCIDENT, 5),
    ("Telephony", "Desk phone", "", "telephony", Kind.INCIDENT, 3),
    ("Telephony", "Mobile phone", "", "mobile-devices", Kind.REQUEST, 4),
    ("Applications", "E-mail", "", "applications", Kind.INCIDENT, 6),
    (
        "Applications",
        "Revenues and benefits system",
        "",
        "revenues-and-benefits-systems",
        Kind.INCIDENT,
        3,
    ),
    ("Applications", "Social care system", "", "social-care-systems", Kind.INCIDENT, 3),
    ("Applications", "Website", "", "web-and-digital", Kind.INCIDENT, 2),
    ("Infrastructure", "Server", "", "servers-and-storage", Kind.INCIDENT, 2),
    ("Infrastructure", "Database", "", "databases", Kind.INCIDENT, 1),
    ("Security", "Phishing report", "", "information-security", Kind.INCIDENT, 3),
    ("Schools", "Schools ICT", "", "schools-ict", Kind.INCIDENT, 2),
)

# Resolution targets in business hours (FR ICT 17's threshold is 8 h for incidents).
TARGET_HOURS: dict[str, dict[str, tuple[int, int]]] = {
    Kind.INCIDENT: {"P1": (1, 4), "P2": (2, 8), "P3": (4, 16), "P4": (8, 40)},
    Kind.REQUEST: {"P1": (2, 8), "P2": (4, 16), "P3": (8, 40), "P4": (16, 80)},
}

WEEKDAY_WEIGHTS = (1.4, 1.05, 1.0, 0.95, 0.8, 0.04, 0.03)  # Monday peak, quiet weekends
PRIORITY_WEIGHTS = (("P1", 1), ("P2", 8), ("P3", 60), ("P4", 31))
CHANNEL_WEIGHTS = (
    (Channel.PHONE, 35),
    (Channel.EMAIL, 25),
    (Channel.PORTAL, 35),
    (Channel.WALK_IN, 5),
)
FIRST_NAMES = ("Sam", "Alex", "Priya", "Tomasz", "Grace", "Kwame", "Aisha", "Liam", "Mei", "Noah")
LAST_NAMES = ("Taylor", "Okafor", "Shah", "Nowak", "Brown", "Mensah", "Ali", "Murphy", "Chen")
AGENTS = ("Amir Khan", "Bea Wilson", "Carl Osei", "Dee Patel", "Eve Hughes")


@dataclass(frozen=True)
class Seeded:
    queues: int
    categories: int
    tickets: int
    events: int
    intervals: int


def _queues() -> dict[str, Queue]:
    queues = {}
    for name, slug in QUEUES:
        queue, _ = Queue.objects.update_or_create(slug=slug, defaults={"name": name})
        queues[slug] = queue
    User = get_user_model()
    owner = User.objects.filter(username="queue-owner").first()
    if owner is not None:
        queues["service-desk"].owners.add(owner)
        queues["mfd-print-and-copy"].owners.add(owner)
    agent = User.objects.filter(username="agent").first()
    if agent is not None:
        queues["service-desk"].members.add(agent)
    return queues


def _assignees(queues: dict[str, Queue]) -> dict[int, tuple[int, ...]]:
    """Who the demo assigns tickets to, by queue: the demo agent and queue owner, in the
    service desk's and the MFD queue's tickets (the queues they belong to)."""
    User = get_user_model()
    people = dict(
        User.objects.filter(username__in=("agent", "queue-owner")).values_list("username", "pk")
    )
    desk = tuple(people[name] for name in ("agent", "queue-owner") if name in people)
    owner = tuple(people[name] for name in ("queue-owner",) if name in people)
    return {queues["service-desk"].pk: desk, queues["mfd-print-and-copy"].pk: owner}


def _categories() -> list[tuple[Category, str, str, float]]:
    parents: dict[str, Category] = {}
    leaves = []
    for parent_name, name, flag, slug, kind, weight in CATEGORIES:
        if parent_name not in parents:
            parents[parent_name], _ = Category.objects.get_or_create(name=parent_name, parent=None)
        leaf, _ = Category.objects.get_or_create(name=name, parent=parents[parent_name])
        if flag and not getattr(leaf, flag):
            setattr(leaf, flag, True)
            leaf.save(update_fields=[flag])
        leaves.append((leaf, slug, kind, weight))
    return leaves


def _targets() -> dict[tuple[str, str], int]:
    targets = {}
    for kind, by_priority in TARGET_HOURS.items():
        for priority, (response, resolution) in by_priority.items():
            SlaTarget.objects.update_or_create(
                kind=kind,
                priority=priority,
                defaults={
                    "response_seconds": response * HOUR,
                    "resolution_seconds": resolution * HOUR,
                },
            )
            targets[(kind, priority)] = resolution * HOUR
    return targets


def _arrival_days(rng: random.Random, n: int, now: datetime) -> list[date]:
    today = now.astimezone(LONDON).date()
    days = [today - timedelta(days=d) for d in range(1, 366)]
    weights = [WEEKDAY_WEIGHTS[d.weekday()] * (1.25 if d.month == 9 else 1.0) for d in days]
    return rng.choices(days, weights=weights, k=n)


class _Weighted:
    """A weighted choice with its cumulative weights worked out once (the same draws as
    ``rng.choices(values, weights)``, which accumulates them on every call)."""

    def __init__(self, values: list, weights: list[float]) -> None:
        self.values = values
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum)[0]


def _weighted(weighted: tuple[tuple[str, float], ...]) -> _Weighted:
    return _Weighted([value for value, _ in weighted], [w for _, w in weighted])


def _local(day: date, hours: float) -> datetime:
    """A local wall-clock time on ``day`` (GMT or BST as that day has it), in UTC."""
    minutes = int(hours * 60)
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=LONDON)
    return local.astimezone(UTC)


@dataclass(slots=True, eq=False)
class _Event:
    """An event before it is stored: what ``servicedesk.history.replay`` reads, and the
    columns of :class:`TicketEvent` (a model instance costs ten times as much to make)."""

    sequence: int
    kind: str
    at: datetime
    from_status: str
    to_status: str = ""
    from_queue_id: int | None = None
    to_queue_id: int | None = None
    actor_name: str = ""
    reason: str = ""
    level: int | None = None
    assignee_id: int | None = None

    def model(self, ticket: Ticket, as_of: tuple[int, str, int | None]) -> TicketEvent:
        return TicketEvent(
            ticket=ticket,
            **dict(zip(AS_OF_FIELDS, (*as_of, ticket.channel), strict=True)),
            **{name: getattr(self, name) for name in _EVENT_FIELDS},
        )


_EVENT_FIELDS = tuple(f.name for f in fields(_Event))
"""The event's own columns (the four as of the event, ``AS_OF_FIELDS``, are the ticket's)."""


class _History:
    """Events of one ticket as they are made up, in order, none after ``now``."""

    def __init__(self, now: datetime):
        self.now = now
        self.events: list[_Event] = []
        self.status = ""

    def add(self, kind: str, at: datetime, **fields) -> bool:
        if at > self.now or (self.events and at < self.events[-1].at):
            return False
        to_status = fields.get("to_status", "")
        self.events.append(
            _Event(
                sequence=len(self.events) + 1,
                kind=kind,
                at=at,
                from_status=self.status if self.events else "",
                **fields,
            )
        )
        if to_status:
            self.status = to_status
        return True


def _history(
    rng: random.Random,
    *,
    logged: datetime,
    now: datetime,
    desk: int,
    home: int,
    others: list[int],
    assignee: int | None = None,
) -> list[_Event]:
    """One ticket's made-up events (queues and the assignee are given by primary key)."""
    h = _History(now)
    agent = rng.choice(AGENTS)
    h.add(EventKind.LOGGED, logged, to_status=Status.LOGGED, to_queue_id=desk, actor_name=agent)
    at = logged + timedelta(minutes=rng.randint(2, 90))
    queue = home
    if not h.add(
        EventKind.ASSIGNED,
        at,
        to_status=Status.ASSIGNED,
        from_queue_id=desk if home != desk else None,
        to_queue_id=home if home != desk else None,
        actor_name=agent,
        assignee_id=assignee,
    ):
        return h.events
    if rng.random() < 0.18:  # sent to the wrong team, and perhaps back again
        for hop in range(rng.choice((1, 1, 2, 3))):
            at += timedelta(hours=rng.uniform(0.5, 20))
            target = home if hop % 2 else rng.choice(others)
            if target == queue:
                continue
            if not h.add(
                EventKind.REASSIGNED,
                at,
                from_queue_id=queue,
                to_queue_id=target,
                actor_name=agent,
                reason="Wrong team",
            ):
                return h.events
            queue = target
    at += timedelta(minutes=rng.randint(5, 240))
    if not h.add(EventKind.STATUS_CHANGED, at, to_status=Status.IN_PROGRESS, actor_name=agent):
        return h.events
    if rng.random() < 0.05:
        at += timedelta(hours=rng.uniform(1, 24))
        if not h.add(
            EventKind.ESCALATED,
            at,
            level=rng.choice((1, 1, 2, 3)),
            reason="Business-critical service affected",
            actor_name=agent,
        ):
            return h.events
    if rng.random() < 0.16:
        at += timedelta(hours=rng.uniform(0.5, 30))
        hold = rng.choice((Status.AWAITING_CUSTOMER, Status.AWAITING_SUPPLIER))
        if not h.add(
            EventKind.ON_HOLD, at, to_status=hold, reason="Awaiting a reply", actor_name=agent
        ):
            return h.events
        # Suppliers are slower than customers; some holds last weeks.
        at += timedelta(hours=rng.uniform(2, 120 if hold == Status.AWAITING_CUSTOMER else 480))
        if not h.add(EventKind.OFF_HOLD, at, to_status=Status.IN_PROGRESS, actor_name=agent):
            return h.events
    # A few tickets drag on for weeks: the backlog that the "over a week old" count finds.
    slow = rng.random() < 0.05
    for round_ in range(3):
        if slow:
            at += timedelta(days=rng.uniform(3, 45))
        else:
            at += timedelta(hours=rng.lognormvariate(math.log(5), 1.1))
        if not h.add(EventKind.RESOLVED, at, to_status=Status.RESOLVED, actor_name=agent):
            return h.events
        if round_ < 2 and rng.random() < 0.06:
            at += timedelta(hours=rng.uniform(1, 48))
            if not h.add(
                EventKind.REOPENED,
                at,
                to_status=Status.IN_PROGRESS,
                reason="Customer says it is not fixed",
                actor_name=agent,
            ):
                return h.events
            continue
        break
    h.add(
        EventKind.CLOSED,
        at + timedelta(days=5),
        to_status=Status.CLOSED,
        actor_name="Automatic closure",
    )
    return h.events


@dataclass
class _Made:
    """One made-up ticket: its columns, events and intervals."""

    fields: dict
    events: list[_Event]
    intervals: list[IntervalRow]
    as_of: list[tuple[int, str, int | None]]
    """Each event's queue, kind and category then (``history.events_as_of``)."""


def _made(
    rng: random.Random,
    *,
    tickets: int,
    now: datetime,
    queues: dict[str, Queue],
    leaves: list[tuple[Category, str, str, float]],
    targets: dict[tuple[str, str], int],
) -> Iterator[_Made]:
    """The demo tickets, oldest first, made one at a time."""
    holidays = holiday_calendar()
    calendars = {q.pk: queue_calendar(q, holidays=holidays) for q in queues.values()}
    desk = queues["service-desk"].pk
    all_queues = [queues[slug].pk for _, slug in QUEUES]
    others = {pk: [q for q in all_queues if q != pk] for pk in all_queues}
    by_leaf = _Weighted(leaves, [w for _, _, _, w in leaves])
    september = _Weighted(leaves, [w * 4 if leaf.is_new_starter else w for leaf, _, _, w in leaves])
    priorities, channels = _weighted(PRIORITY_WEIGHTS), _weighted(CHANNEL_WEIGHTS)
    local: dict[tuple[date, float], datetime] = {}
    assignees = _assignees(queues)
    # The customers' directorates are those the "log a ticket" form offers.
    directorates = settings.SERVICEDESK_DIRECTORATES

    days = sorted(_arrival_days(rng, tickets, now))
    for i, day in enumerate(days, start=1):
        leaf, slug, kind, _ = (september if day.month == 9 else by_leaf).pick(rng)
        hours = rng.triangular(7.5, 18.5, 10)
        minutes = int(hours * 60)
        logged = local.get((day, minutes))
        if logged is None:
            logged = local[(day, minutes)] = _local(day, hours)
        if logged >= now:
            logged = now - timedelta(minutes=rng.randint(1, 600))
        home = queues[slug].pk
        # Tickets of the demo people's queues are theirs, in turn (not drawn from ``rng``,
        # so the rest of the demo is the same with or without them): their home pages and
        # the queue pages' "assigned to" show real work.
        people = assignees.get(home, ())
        assignee = people[i % len(people)] if people else None
        events = _history(
            rng,
            logged=logged,
            now=now,
            desk=desk,
            home=home,
            others=others[home],
            assignee=assignee,
        )
        replayed = replay(events, kind=kind, category_id=leaf.pk)
        priority = priorities.pick(rng)
        fields = derived_fields(
            replayed.state,
            replayed.intervals,
            calendar=calendars[replayed.state.queue_id],
            target_seconds=targets[(kind, priority)],
        )
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        fields.update(
            reference=f"{DEMO_PREFIX}{'INC' if kind == Kind.INCIDENT else 'SR'}{i:06d}",
            kind=kind,
            summary=f"{leaf.name}: {rng.choice(('not working', 'request', 'slow', 'error'))}",
            category_id=leaf.pk,
            priority=priority,
            channel=channels.pick(rng),
            customer_name=f"{first} {last}",
            customer_email=f"{first}.{last}@hackney.example".lower(),
            customer_directorate=rng.choice(directorates),
        )
        yield _Made(fields, events, replayed.intervals, events_as_of(events, replayed.intervals))


def _batched(items: Iterator[_Made], size: int) -> Iterator[list[_Made]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _delete_demo_tickets() -> None:
    """Delete the demo tickets and what hangs off them, a table at a time (one statement
    each, not one per ticket: Django's collector would load a million primary keys)."""
    demo = Ticket.objects.filter(reference__startswith=DEMO_PREFIX)
    if not demo.exists():
        return
    for relation in Ticket._meta.related_objects:
        related = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": demo.values("pk")}
        )
        if relation.on_delete is models.CASCADE:
            related.delete()
        elif relation.on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
    demo._raw_delete(demo.db)


@transaction.atomic
def seed(*, tickets: int, seed: int = 2026, now: datetime, batch_size: int = BATCH_SIZE) -> Seeded:
    """Create (or replace) the demo queues, categories, targets and ``tickets`` tickets."""
    rng = random.Random(seed)
    queues = _queues()
    leaves = _categories()
    targets = _targets()
    _delete_demo_tickets()
    made = _made(rng, tickets=tickets, now=now, queues=queues, leaves=leaves, targets=targets)
    counts = [0, 0, 0]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Check foreign keys as each COPY ends, not all at once at COMMIT (and fire the
            # checks pending from the queues and categories, which an ALTER TABLE needs).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with (
            _rebuilt_indexes(big=tickets >= BIG_SEED),
            Copier(connection.connection, name="demo-copier") as copier,
        ):
            first_pk = _reserve_ticket_pks(tickets)
            for batch in _batched(made, batch_size):
                copier.submit(*_copy_batch(batch, first_pk + counts[0], counts))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
    else:
        for batch in _batched(made, batch_size):
            _bulk_create_batch(batch, counts)
    return Seeded(
        queues=len(queues),
        categories=Category.objects.count(),
        tickets=counts[0],
        events=counts[1],
        intervals=counts[2],
    )


# -- writing: bulk_create (any database) -----------------------------------------------------


def _bulk_create_batch(batch: list[_Made], counts: list[int]) -> None:
    made = Ticket.objects.bulk_create([Ticket(**m.fields) for m in batch], batch_size=2000)
    TicketEvent.objects.bulk_create(
        [
            e.model(t, as_of)
            for t, m in zip(made, batch, strict=True)
            for e, as_of in zip(m.events, m.as_of, strict=True)
        ],
        batch_size=5000,
    )
    TicketInterval.objects.bulk_create(
        [
            TicketInterval(ticket=t, **row.model_kwargs())
            for t, m in zip(made, batch, strict=True)
            for row in m.intervals
        ],
        batch_size=5000,
    )
    counts[0] += len(batch)
    counts[1] += sum(len(m.events) for m in batch)
    counts[2] += sum(len(m.intervals) for m in batch)


# -- writing: COPY (PostgreSQL) ----------------------------------------------------------------

_EVENT_COLUMNS = ("ticket_id", *_EVENT_FIELDS, *AS_OF_FIELDS)
_EVENT_VALUES = operator.attrgetter(*_EVENT_FIELDS)
_INTERVAL_COLUMNS = ("ticket_id", *INTERVAL_COLUMNS)
_INTERVAL_VALUES = operator.attrgetter(*INTERVAL_COLUMNS)


def _copy_batch(batch: list[_Made], first_pk: int, counts: list[int]) -> list[Job]:
    """The batch as ``hackperf.copy`` jobs; ticket ``i`` gets ``first_pk + i``. The ticket's
    columns are the keys of its made-up fields (what ``Ticket(**fields)`` takes elsewhere)."""
    ticket_columns = tuple(batch[0].fields)
    tickets: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    intervals: list[tuple[object, ...]] = []
    for offset, m in enumerate(batch):
        pk = first_pk + offset
        f = m.fields
        tickets.append((pk, *[f[c] for c in ticket_columns]))
        channel = f["channel"]
        events.extend(
            (pk, *_EVENT_VALUES(e), *as_of, channel)
            for e, as_of in zip(m.events, m.as_of, strict=True)
        )
        intervals.extend((pk, *_INTERVAL_VALUES(i)) for i in m.intervals)
        counts[2] += len(m.intervals)
        counts[1] += len(m.events)
    counts[0] += len(batch)
    return [
        (Ticket._meta.db_table, ("id", *ticket_columns), tickets),
        (TicketEvent._meta.db_table, _EVENT_COLUMNS, events),
        (TicketInterval._meta.db_table, _INTERVAL_COLUMNS, intervals),
    ]


def _reserve_ticket_pks(n: int) -> int:
    """Take ``n`` consecutive ticket keys from the table's sequence; return the first.

    The table is locked against other writers until the seed commits, so nobody else takes
    a key from the sequence in between.
    """
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        if n > 1:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
    return first


_TABLES = (Ticket, TicketEvent, TicketInterval)


@contextmanager
def _rebuilt_indexes(*, big: bool) -> Iterator[None]:
    """For a big load: drop the tables' secondary indexes, unique and foreign-key
    constraints, and rebuild them (the same definitions) once the rows are in."""
    if not big:
        yield
        return
    tables = [m._meta.db_table for m in _TABLES]
    with connection.cursor() as cursor:
        # Constraints (unique, foreign key) and then the plain indexes, as PostgreSQL has them.
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype IN ('u', 'f') "
            "AND conrelid::regclass::text = ANY(%s) ORDER BY contype DESC, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
            "AND c.contype IN ('u', 'p', 'x')) ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        # Foreign keys first: a unique constraint's index may be what one of them needs.
        for table, name, _ in sorted(constraints, key=lambda c: c[2].startswith("UNIQUE")):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in sorted(
            constraints, key=lambda c: not c[2].startswith("UNIQUE")
        ):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
