"""Who sees what, for every URL name (issue 11, "Who sees what").

Every named URL of the project is in ``MATRIX`` (a test fails when a new one is not), with
the status each of the six roles and the signed-out get. One dataset per module plants what
people must not see:

* a SAR whose every free-text field (subject, exemptions, request text, the requester's
  name, e-mail, address and phone, its clock events' notes, its correspondence notes)
  carries the canary name, and an FOI case whose request text and correspondence note do
  (free text is personal data on any kind of case): no page a role other than IG officer
  reaches may contain it (DESIGN.md, Personal data);
* a case in another directorate than the director's: no page the director reaches may carry
  its reference, and its page is 404 to them;
* a ticket in a queue the queue owner does not own: no page they reach may carry its
  reference (its page is 403, as ``servicedesk.access.can_view_ticket`` says).

Positive controls (``shows``) prove the canary and the references are there to be found by
those who may see them, so an empty page cannot pass for a safe one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hackperf.roles import Role
from indicators.models import Indicator, PeriodValue
from indicators.review_actions import review_action_add
from indicators.services.briefings import briefing_freeze
from indicators.services.compute import indicators_compute
from indicators.services.definitions import definitions_sync
from indicators.services.review_packs import review_pack_freeze
from indicators.services.snapshots import snapshot_backfill
from indicators.services.values import (
    period_value_approve,
    period_value_check,
    period_value_comment,
)
from infogov.choices import EventKind, Kind, Outcome, Status
from infogov.models import CaseNote, ClockEvent
from tests.hackperf.factories import UserFactory
from tests.indicators.factories import make_risk
from tests.infogov.factories import CaseFactory, EscalationFactory, RequesterFactory, ServiceFactory
from tests.servicedesk.factories import MORNING, QueueFactory, log_ticket

CANARY = "Canaryrequester"
CANARY_NAME = f"Zebedee {CANARY}"
MONTH = date(2026, 3, 1)
ANON = "anonymous"
PERSONAS = (ANON, *(role.value for role in Role))
DMT, QO, AGENT, IG, DIRECTOR, BRIEFING = (role.value for role in Role)
NON_IG = tuple(p for p in PERSONAS if p != IG)


# ---------------------------------------------------------------------------------------------
# The dataset, planted once per module
# ---------------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]
    own_case: object
    other_case: object
    sar: object
    sar_answered: object
    escalation: object
    queue_mine: object
    queue_theirs: object
    ticket_mine: object
    ticket_theirs: object
    pack: object
    action: object
    briefing_pack: object
    import_run: object
    risk: object
    entered_indicator: object
    approved_period: date
    director: object


def _build_world() -> World:
    users = {
        role.value: UserFactory(username=f"matrix-{role.value}", roles=[role]) for role in Role
    }
    director = users[DIRECTOR]

    mine = ServiceFactory(directorate__name="Children and Education")
    theirs = ServiceFactory(directorate__name="Adults, Health and Integration")
    mine.directorate.directors.add(director)

    own_case = CaseFactory(
        reference="FOI-OWN-0001",
        service=mine,
        received=MONTH.replace(day=2),
        request_text=f"Please send the noise complaints about my neighbour {CANARY_NAME}.",
    )
    other_case = CaseFactory(
        reference="FOI-OTHER-0001",
        service=theirs,
        received=MONTH.replace(day=2),
        subject="Pothole repairs on Mare Street",
    )
    # The SAR is in the director's own directorate: they reach its page, never its details.
    sar = CaseFactory(
        reference="SAR-2026-0001",
        kind=Kind.SAR,
        service=mine,
        received=MONTH.replace(day=2),
        subject=f"SAR – {CANARY_NAME}",
        request_text=f"I, {CANARY_NAME}, ask for every record you hold about me.",
        requester=None,
    )
    sar_answered = CaseFactory(
        reference="SAR-2026-0002",
        kind=Kind.SAR,
        service=mine,
        received=MONTH.replace(day=2),
        subject=f"SAR for {CANARY_NAME}'s housing file",
        requester__name=CANARY_NAME,
        status=Status.RESPONDED,
        responded=MONTH.replace(day=20),
        outcome=Outcome.SUPPLIED_IN_PART,
        exemptions=f"Sch 2 para 16: third party named by {CANARY_NAME}",
    )
    RequesterFactory(
        case=sar,
        name=CANARY_NAME,
        email=f"zebedee.{CANARY.lower()}@example.org",
        address=f"1 {CANARY} Row, London E8",
        phone=f"020 7000 0000 ({CANARY})",
    )
    for kind, day in (
        (EventKind.CLARIFICATION_REQUESTED, 3),
        (EventKind.CLARIFICATION_RECEIVED, 5),
    ):
        ClockEvent.objects.create(
            case=sar,
            kind=kind,
            date=MONTH.replace(day=day),
            note=f"Spoke to {CANARY_NAME} about their records.",
        )
    for case in (sar, own_case):
        CaseNote.objects.create(
            case=case,
            author=users[IG],
            at=datetime(2026, 3, 4, 10, tzinfo=UTC),
            text=f"Rang the housing team about {CANARY_NAME}'s tenancy file.",
        )
    escalation = EscalationFactory(case=own_case, level="t_minus_2")
    EscalationFactory(case=sar, level="t_minus_2")
    EscalationFactory(case=other_case, level="t_minus_2")

    queue_mine = QueueFactory(name="Desktop", slug="desktop")
    queue_theirs = QueueFactory(name="Networks", slug="networks")
    queue_mine.owners.add(users[QO])
    ticket_mine = log_ticket(queue=queue_mine, reference="INC-MINE-01", at=MORNING)
    ticket_theirs = log_ticket(queue=queue_theirs, reference="INC-THEIRS-01", at=MORNING)

    definitions_sync()
    indicators_compute(period_start=MONTH, now=datetime(2026, 4, 2, 9, tzinfo=UTC))
    instants = snapshot_backfill(start=MONTH, end=MONTH.replace(day=31))
    pack = review_pack_freeze(fortnight_end=instants[-1], by=users[DMT])
    action = review_action_add(
        pack=pack,
        description="Chase the MFD supplier.",
        owner=users[QO],
        due=date(2026, 4, 30),
        by=users[DMT],
    )
    risk = make_risk()
    entered = Indicator.objects.filter(is_computed=False).order_by("code").first()
    value = PeriodValue.objects.get(indicator__slug="fr-ict-17a", period_start=MONTH)
    checker = UserFactory(username="matrix-checker", roles=[Role.DMT])
    value = period_value_comment(period_value=value, commentary="In line.", by=checker)
    value = period_value_check(period_value=value, by=checker)
    period_value_approve(period_value=value, by=users[DMT])
    from hackperf.choices import ImportKind
    from hackperf.imports import StoredFile, import_run_create

    import_run = import_run_create(
        kind=ImportKind.TICKETS,
        stored=StoredFile(
            path=Path("/nonexistent/export.csv"), name="export.csv", size=1, sha256="0" * 64
        ),
        mapping_name="BPI 2013",
        mapping_preset="bpic2013",
        user=users[DMT],
    )
    briefing_pack = briefing_freeze(
        meeting="2-to-1", body="<p>Frozen briefing</p>", reporting_month=MONTH, by=users[DMT]
    )
    return World(
        users=users,
        own_case=own_case,
        other_case=other_case,
        sar=sar,
        sar_answered=sar_answered,
        escalation=escalation,
        queue_mine=queue_mine,
        queue_theirs=queue_theirs,
        ticket_mine=ticket_mine,
        ticket_theirs=ticket_theirs,
        pack=pack,
        action=action,
        briefing_pack=briefing_pack,
        import_run=import_run,
        risk=risk,
        entered_indicator=entered,
        approved_period=MONTH,
        director=director,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The planted dataset, built once and rolled back after the module's tests."""
    from infogov import selectors

    calendar = selectors.bundled_calendar()
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setattr(selectors, "holiday_calendar", lambda: calendar)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def visit_as(world, db):
    clients: dict[str, Client] = {}

    def get(persona: str, url: str, headers: dict | None = None):
        if persona not in clients:
            client = Client()
            if persona != ANON:
                client.force_login(world.users[persona])
            clients[persona] = client
        return clients[persona].get(url, headers=headers or {})

    return get


# ---------------------------------------------------------------------------------------------
# The matrix: every URL name, and what each persona gets
# ---------------------------------------------------------------------------------------------


def answers(
    allowed: set[str] | frozenset[str],
    ok: int = 200,
    *,
    denied: int = 403,
    anonymous: int = 302,
    **overrides: int,
) -> dict[str, int]:
    """``ok`` for the ``allowed`` roles, ``denied`` for the other roles, ``anonymous`` for the
    signed-out (302 to sign in), then ``overrides`` by persona."""
    expected = {p: (ok if p in allowed else denied) for p in PERSONAS}
    expected[ANON] = anonymous
    expected.update(overrides)
    return expected


EVERYONE = frozenset(role.value for role in Role)
INFOGOV = frozenset({DMT, IG, DIRECTOR})
QUEUES = frozenset({DMT, QO, AGENT})
INDICATORS = frozenset({DMT, QO, IG, BRIEFING})


@dataclass(frozen=True)
class Visit:
    """One GET of a URL name: how to build the URL, what each persona gets, and strings
    (World attribute paths or literals in quotes) that must appear for some personas."""

    label: str
    url: Callable[[World], str]
    expect: dict[str, int]
    shows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _url(name: str, *args_of: Callable[[World], object], query: dict | None = None):
    def build(w: World) -> str:
        url = reverse(name, args=[get(w) for get in args_of])
        return f"{url}?{urlencode(query)}" if query else url

    return build


def _q(name: str, query: Callable[[World], dict]):
    return lambda w: f"{reverse(name)}?{urlencode(query(w))}"


def _ig_only_search(label: str, url: Callable[[World], str], expect: dict[str, int], *found: str):
    """A search whose words only IG officers' search reaches (a request's words, notes, a
    SAR's subject): IG officers find ``found``; the DMT and directors, who may open the
    cases by reference, do not."""
    return Visit(label, url, expect, shows={IG: found}, hides={DMT: found, DIRECTOR: found})


pk = lambda attr: lambda w: getattr(w, attr).pk  # noqa: E731
ref = lambda attr: lambda w: getattr(w, attr).reference  # noqa: E731
slug = lambda value: lambda w: value  # noqa: E731
month = lambda w: f"{MONTH:%Y-%m}"  # noqa: E731

REVIEW_INSTANT = "2026-03-16T00:00:00+00:00"

MATRIX: dict[str, list[Visit]] = {
    "home": [Visit("home", _url("home"), answers(EVERYONE))],
    # The header search: only records the person may open, a SAR's subject to IG only (the
    # canary), never another queue's or directorate's reference; an exact one redirects.
    "search": [
        Visit(
            "search tickets",
            _url("search", query={"q": "INC-"}),
            answers(EVERYONE),
            shows={QO: ("ticket_mine.reference",), DMT: ("ticket_theirs.reference",)},
        ),
        Visit(
            "search cases",
            _url("search", query={"q": "FOI-"}),
            answers(EVERYONE),
            shows={DIRECTOR: ("own_case.reference",), DMT: ("other_case.reference",)},
        ),
        Visit(
            "search SARs",
            _url("search", query={"q": "SAR-2026"}),
            answers(EVERYONE),
            shows={
                DIRECTOR: ("sar.reference", "'Subject access request'"),
                IG: ("sar.reference", "'" + CANARY + "'"),
            },
        ),
        _ig_only_search(
            "search a word of the SAR's subject",
            _url("search", query={"q": "housing file"}),
            answers(EVERYONE),
            "sar_answered.reference",
        ),
        _ig_only_search(
            "search a word of a request or a correspondence note",
            _url("search", query={"q": "tenancy file"}),
            answers(EVERYONE),
            "own_case.reference",
        ),
        Visit(
            "an exact ticket reference",
            _url("search", query={"q": "inc-mine-01"}),
            answers(EVERYONE, **{DMT: 302, QO: 302, AGENT: 302}),
        ),
        Visit(
            "an exact closed SAR's reference",
            _url("search", query={"q": "SAR-2026-0002"}),
            answers(EVERYONE, **{DMT: 302, IG: 302, DIRECTOR: 302}),
        ),
    ],
    # POST-only; a GET is refused before anything is looked up.
    "saved_filter_create": [
        Visit("save a filter (GET)", _url("saved_filter_create"), answers(EVERYONE, 405))
    ],
    "saved_filter_delete": [
        Visit(
            "delete a saved filter (GET)",
            lambda w: reverse("saved_filter_delete", args=[1]),
            answers(EVERYONE, 405),
        )
    ],
    "login": [Visit("login", _url("login"), answers(frozenset(), denied=302, anonymous=200))],
    "logout": [Visit("logout (GET)", _url("logout"), answers(EVERYONE, 405))],
    "person_list": [
        Visit("people", _url("person_list"), answers({DMT})),
        Visit("people as CSV", _url("person_list", query={"format": "csv"}), answers({DMT})),
    ],
    "person_unlock": [Visit("unlock (GET)", _url("person_unlock"), answers({DMT}, 405))],
    "bank_holiday_list": [Visit("bank holidays", _url("bank_holiday_list"), answers({IG}))],
    # POST-only; a GET is refused before the holiday is looked up, so any pk will do.
    "holiday_to_confirm_confirm": [
        Visit(
            "confirm a holiday (GET)",
            lambda w: reverse("holiday_to_confirm_confirm", args=[1]),
            answers({IG}, 405),
        )
    ],
    "holiday_to_confirm_reject": [
        Visit(
            "reject a holiday (GET)",
            lambda w: reverse("holiday_to_confirm_reject", args=[1]),
            answers({IG}, 405),
        )
    ],
    "healthz": [Visit("healthz", _url("healthz"), answers(EVERYONE, anonymous=200))],
    "survey": [
        Visit(
            "bad link",
            _url("survey", slug("not-a-real-token")),
            answers(EVERYONE, 404, anonymous=404),
        )
    ],
    # --- service desk ---
    "servicedesk:queue_list": [
        Visit("queues", _url("servicedesk:queue_list"), answers(QUEUES)),
        Visit(
            "queues as CSV",
            _url("servicedesk:queue_list", query={"format": "csv"}),
            answers(QUEUES),
            shows={QO: ("queue_mine.name",), DMT: ("queue_theirs.name",)},
            hides={QO: ("queue_theirs.name",)},
        ),
    ],
    "servicedesk:queue_detail": [
        Visit(
            "own queue",
            _url("servicedesk:queue_detail", slug("desktop")),
            answers(QUEUES),
            shows={QO: ("ticket_mine.reference",)},
        ),
        Visit(
            "another queue",
            _url("servicedesk:queue_detail", slug("networks")),
            answers(QUEUES, **{QO: 403}),
        ),
        Visit(
            "own queue as CSV",
            _url("servicedesk:queue_detail", slug("desktop"), query={"format": "csv"}),
            answers(QUEUES),
            shows={QO: ("ticket_mine.reference",)},
        ),
        Visit(
            "another queue as CSV",
            _url("servicedesk:queue_detail", slug("networks"), query={"format": "csv"}),
            answers(QUEUES, **{QO: 403}),
            shows={DMT: ("ticket_theirs.reference",)},
        ),
        Visit(
            "own queue, htmx partial",
            _url("servicedesk:queue_detail", slug("desktop"), query={"status": "open"}),
            answers(QUEUES),
            headers={"HX-Request": "true"},
        ),
        Visit(
            "another queue, htmx partial",
            _url("servicedesk:queue_detail", slug("networks")),
            answers(QUEUES, **{QO: 403}),
            headers={"HX-Request": "true"},
        ),
    ],
    "servicedesk:queue_bulk": [
        # POST only (its POSTs, CSRF and per-queue refusals: tests/servicedesk/test_bulk.py).
        Visit(
            "bulk action (GET)",
            _url("servicedesk:queue_bulk", slug("desktop")),
            answers({QO, AGENT}, 405),
        ),
        Visit(
            "bulk action in another queue (GET)",
            _url("servicedesk:queue_bulk", slug("networks")),
            answers({QO, AGENT}, 405),
        ),
    ],
    "servicedesk:ticket_create": [
        Visit("log a ticket", _url("servicedesk:ticket_create"), answers({QO, AGENT}))
    ],
    "servicedesk:ticket_detail": [
        Visit(
            "ticket in own queue",
            _url("servicedesk:ticket_detail", ref("ticket_mine")),
            answers(QUEUES),
        ),
        Visit(
            "ticket in another queue",
            _url("servicedesk:ticket_detail", ref("ticket_theirs")),
            answers(QUEUES, **{QO: 403}),
        ),
    ],
    "servicedesk:ticket_action": [
        Visit(
            "action (GET)",
            _url("servicedesk:ticket_action", ref("ticket_mine"), slug("assign")),
            answers({QO, AGENT}, 405),
        ),
    ],
    "import_run_list": [
        Visit("import history", _url("import_run_list"), answers({DMT})),
        Visit(
            "import history as CSV",
            _url("import_run_list", query={"format": "csv"}),
            answers({DMT}),
        ),
    ],
    "import_run_detail": [
        Visit("an import run", _url("import_run_detail", pk("import_run")), answers({DMT}))
    ],
    "import_run_progress": [
        Visit("its progress", _url("import_run_progress", pk("import_run")), answers({DMT}))
    ],
    "import_run_bad_rows": [
        Visit("its bad rows", _url("import_run_bad_rows", pk("import_run")), answers({DMT}))
    ],
    "infogov:case_import": [Visit("import cases", _url("infogov:case_import"), answers({DMT}))],
    "servicedesk:ticket_import": [
        Visit("import", _url("servicedesk:ticket_import"), answers({DMT}))
    ],
    "servicedesk:survey_results": [
        Visit("survey results", _url("servicedesk:survey_results"), answers({DMT}))
    ],
    "servicedesk:survey_comments": [
        Visit("survey comments", _url("servicedesk:survey_comments"), answers({DMT, QO})),
        Visit(
            "another queue's comments",
            _url("servicedesk:survey_comments", query={"queue": "networks"}),
            answers({DMT}),
        ),
        Visit(
            "survey comments as CSV",
            _url("servicedesk:survey_comments", query={"format": "csv"}),
            answers({DMT, QO}),
        ),
        Visit(
            "another queue's comments as CSV",
            _url("servicedesk:survey_comments", query={"queue": "networks", "format": "csv"}),
            answers({DMT}),
        ),
    ],
    # --- information governance ---
    "infogov:case_list": [
        Visit(
            "open cases",
            _url("infogov:case_list"),
            answers(INFOGOV),
            shows={
                DIRECTOR: ("own_case.reference", "sar.reference", "'Subject access request'"),
                DMT: ("other_case.reference", "sar.reference"),
                IG: ("sar.reference", "'" + CANARY + "'"),
            },
        ),
        Visit(
            "another directorate asked for",
            lambda w: f"{reverse('infogov:case_list')}?directorate={w.other_case.directorate_id}",
            answers(INFOGOV),
            shows={DMT: ("other_case.reference",)},
        ),
        Visit(
            "another directorate's service asked for",
            lambda w: f"{reverse('infogov:case_list')}?service={w.other_case.service_id}",
            answers(INFOGOV),
        ),
        # Words of the request and correspondence notes: only IG officers' search reaches them.
        _ig_only_search(
            "search a word of an FOI request",
            _url("infogov:case_list", query={"q": "noise complaints"}),
            answers(INFOGOV),
            "own_case.reference",
        ),
        Visit(
            "search a word of a correspondence note",
            _url("infogov:case_list", query={"q": "tenancy file"}),
            answers(INFOGOV),
            shows={IG: ("own_case.reference", "sar.reference")},
            hides={DMT: ("own_case.reference",), DIRECTOR: ("own_case.reference",)},
        ),
        # Words of the SAR's notes and subject: only IG officers' search reaches them.
        _ig_only_search(
            "search a word of the notes",
            _url("infogov:case_list", query={"q": "their records"}),
            answers(INFOGOV),
            "sar.reference",
        ),
        _ig_only_search(
            "search a word of the subject",
            _url("infogov:case_list", query={"q": "SAR –"}),
            answers(INFOGOV),
            "sar.reference",
        ),
        Visit(
            "search by reference",
            _url("infogov:case_list", query={"q": "SAR-2026"}),
            answers(INFOGOV),
            shows={DMT: ("sar.reference",), DIRECTOR: ("sar.reference",)},
        ),
        Visit(
            "sorted by subject",
            _url("infogov:case_list", query={"sort": "subject"}),
            answers(INFOGOV),
        ),
        # The CSV: the page's rows and rules, every page of them.
        Visit(
            "open cases as CSV",
            _url("infogov:case_list", query={"format": "csv"}),
            answers(INFOGOV),
            shows={
                DIRECTOR: ("own_case.reference", "sar.reference", "'Subject access request'"),
                DMT: ("other_case.reference", "sar.reference"),
                IG: ("sar.reference", "'" + CANARY + "'"),
            },
        ),
        _ig_only_search(
            "search a word of the notes, as CSV",
            _url("infogov:case_list", query={"q": "their records", "format": "csv"}),
            answers(INFOGOV),
            "sar.reference",
        ),
    ],
    "infogov:case_create": [Visit("log a case", _url("infogov:case_create"), answers({IG}))],
    "infogov:case_detail": [
        Visit(
            "own directorate's case", _url("infogov:case_detail", pk("own_case")), answers(INFOGOV)
        ),
        Visit(
            "another directorate's case",
            _url("infogov:case_detail", pk("other_case")),
            answers(INFOGOV, **{DIRECTOR: 404}),
        ),
        Visit(
            "the SAR",
            _url("infogov:case_detail", pk("sar")),
            answers(INFOGOV),
            shows={
                IG: ("'" + CANARY_NAME + "'", "'Spoke to'", "'ask for every record'", "'Rang the'"),
                DIRECTOR: ("sar.reference", "'Subject access request'"),
            },
        ),
        Visit(
            "an FOI case's request and notes",
            _url("infogov:case_detail", pk("own_case")),
            answers(INFOGOV),
            shows={IG: ("'noise complaints'", "'Rang the housing team'")},
            hides={
                p: ("'noise complaints'", "'Rang the housing team'", "'Correspondence notes'")
                for p in NON_IG
            },
        ),
        Visit(
            "the answered SAR",
            _url("infogov:case_detail", pk("sar_answered")),
            answers(INFOGOV),
            shows={IG: ("'third party named by'",), DMT: ("'supplied in part'",)},
        ),
    ],
    "infogov:case_allocate": [
        Visit("allocate", _url("infogov:case_allocate", pk("sar")), answers({IG})),
        Visit("allocate another's", _url("infogov:case_allocate", pk("other_case")), answers({IG})),
    ],
    "infogov:case_event_create": [
        Visit("record an event", _url("infogov:case_event_create", pk("sar")), answers({IG}))
    ],
    "infogov:case_respond": [
        Visit("respond", _url("infogov:case_respond", pk("own_case")), answers({IG}))
    ],
    "infogov:case_request_update": [
        Visit(
            "the request's text",
            _url("infogov:case_request_update", pk("sar")),
            answers({IG}),
            shows={IG: ("'ask for every record'",)},
        ),
        Visit(
            "another's request",
            _url("infogov:case_request_update", pk("other_case")),
            answers({IG}),
        ),
    ],
    "infogov:case_note_create": [
        Visit("add a note", _url("infogov:case_note_create", pk("sar")), answers({IG})),
        Visit(
            "add a note to another's",
            _url("infogov:case_note_create", pk("other_case")),
            answers({IG}),
        ),
    ],
    # The service select's options (htmx): a director's own directorates only.
    "infogov:service_options": [
        Visit(
            "services of a directorate",
            lambda w: (
                reverse("infogov:service_options") + f"?directorate={w.own_case.directorate_id}"
            ),
            answers(INFOGOV),
            shows={DIRECTOR: ("own_case.service.name",), IG: ("own_case.service.name",)},
        ),
        Visit(
            "services of another directorate",
            lambda w: (
                reverse("infogov:service_options") + f"?directorate={w.other_case.directorate_id}"
            ),
            answers(INFOGOV, **{DIRECTOR: 404}),
            shows={DMT: ("other_case.service.name",)},
        ),
        Visit(
            "every service, by directorate",
            _url("infogov:service_options"),
            answers(INFOGOV),
            hides={DIRECTOR: ("other_case.service.name",)},
        ),
        Visit(
            "not a directorate",
            _url("infogov:service_options", query={"directorate": "x'"}),
            answers(INFOGOV, 400),
        ),
    ],
    "infogov:case_close": [
        Visit("close (GET)", _url("infogov:case_close", pk("sar")), answers({IG}, 405))
    ],
    "infogov:escalation_list": [
        Visit(
            "escalations",
            _url("infogov:escalation_list"),
            answers(INFOGOV),
            shows={DIRECTOR: ("own_case.reference",), DMT: ("other_case.reference",)},
        ),
        Visit(
            "escalations as CSV",
            _url("infogov:escalation_list", query={"format": "csv"}),
            answers(INFOGOV),
            shows={DIRECTOR: ("own_case.reference",), DMT: ("other_case.reference",)},
        ),
    ],
    "infogov:case_acknowledge": [
        Visit(
            "acknowledge (GET)",
            _url("infogov:case_acknowledge", pk("own_case")),
            answers({DIRECTOR}, 405),
        ),
    ],
    "infogov:directorate_addresses": [
        Visit(
            "a directorate's e-mail addresses",
            lambda w: reverse("infogov:directorate_addresses", args=[w.own_case.directorate_id]),
            answers({IG}),
        ),
    ],
    "infogov:directorate_performance": [
        Visit(
            "performance",
            _url("infogov:directorate_performance", query={"period": "2026-03"}),
            answers(INFOGOV),
            shows={DMT: ("'Adults, Health'",)},
            hides={DIRECTOR: ("'Adults, Health'",)},
        ),
        Visit(
            "performance, a quarter",
            _url("infogov:directorate_performance", query={"period": "2026-Q1"}),
            answers(INFOGOV),
            hides={DIRECTOR: ("'Adults, Health'",)},
        ),
    ],
    "infogov:ig_group_report": [
        Visit(
            "IG Group report",
            _url("infogov:ig_group_report", query={"quarter": "2026-Q1"}),
            answers(INFOGOV),
            shows={DMT: ("'Adults, Health'",)},
            hides={DIRECTOR: ("'Adults, Health'",)},
        ),
        Visit(
            "IG Group report as CSV",
            _url("infogov:ig_group_report", query={"quarter": "2026-Q1", "format": "csv"}),
            answers(INFOGOV),
            shows={DMT: ("'Adults, Health'",)},
            hides={DIRECTOR: ("'Adults, Health'",)},
        ),
    ],
    "infogov:ig_group_report_cases": [
        Visit(
            "IG Group report, the requests behind a figure",
            _url(
                "infogov:ig_group_report_cases",
                query={"quarter": "2026-Q1", "group": "foi_eir", "figure": "received"},
            ),
            answers(INFOGOV),
            shows={DMT: ("own_case.reference", "other_case.reference")},
            hides={DIRECTOR: ("other_case.reference",)},
        ),
        Visit(
            "IG Group report, subject access requests behind a figure",
            _url(
                "infogov:ig_group_report_cases",
                query={"quarter": "2026-Q1", "group": "sar", "figure": "received"},
            ),
            answers(INFOGOV),
            shows={IG: ("sar.reference", "'" + CANARY + "'")},
        ),
        Visit(
            "IG Group report, another directorate's requests",
            _q(
                "infogov:ig_group_report_cases",
                lambda w: {
                    "quarter": "2026-Q1",
                    "group": "foi_eir",
                    "figure": "received",
                    "directorate": w.other_case.directorate_id,
                },
            ),
            answers(INFOGOV, **{DIRECTOR: 404}),
            shows={DMT: ("other_case.reference",)},
        ),
    ],
    "infogov:peer_list": [
        Visit("peers", _url("infogov:peer_list"), answers(INFOGOV)),
        Visit(
            "peers, filtered and sorted",
            _url(
                "infogov:peer_list",
                query={"body__body_type": "london_borough", "sort": "-requests"},
            ),
            answers(INFOGOV),
        ),
        Visit(
            "peers, a year out of range",
            _url("infogov:peer_list", query={"year": "99999"}),
            answers(INFOGOV),
        ),
        Visit(
            "peers as CSV, filtered and sorted",
            _url(
                "infogov:peer_list",
                query={"body__body_type": "london_borough", "sort": "-requests", "format": "csv"},
            ),
            answers(INFOGOV),
        ),
    ],
    "infogov:director_list": [
        Visit("directors", _url("infogov:director_list"), answers({DMT, IG}))
    ],
    "infogov:director_update": [
        Visit(
            "a director's directorates",
            _url("infogov:director_update", pk("director")),
            answers({DMT, IG}),
        ),
    ],
    # --- indicators, review, briefing ---
    "indicators:review": [
        Visit("review", _url("indicators:review"), answers({DMT})),
        Visit(
            "review, a fortnight not computed yet",
            _url("indicators:review", query={"fortnight": "2025-03-09"}),
            answers({DMT}),
            shows={DMT: ("'Compute this fortnight from the history'",)},
        ),
        Visit(
            "review, not a fortnight",
            _url("indicators:review", query={"fortnight": "2026-13-45"}),
            answers({DMT}),
            shows={DMT: ("'Enter the fortnight as a date'",)},
        ),
    ],
    "indicators:review_drilldown": [
        Visit(
            "open cases behind a figure",
            _url(
                "indicators:review_drilldown",
                query={"metric": "infogov.open_cases", "instant": REVIEW_INSTANT},
            ),
            answers({DMT}),
            shows={DMT: ("own_case.reference",)},
        ),
        Visit(
            "open incidents behind a figure",
            _url(
                "indicators:review_drilldown",
                query={"metric": "servicedesk.open_incidents", "instant": REVIEW_INSTANT},
            ),
            answers({DMT}),
        ),
    ],
    "indicators:review_pack_create": [
        Visit("freeze a pack", _url("indicators:review_pack_create"), answers({DMT}))
    ],
    "indicators:review_pack_detail": [
        Visit("a frozen pack", _url("indicators:review_pack_detail", pk("pack")), answers({DMT}))
    ],
    "indicators:review_action_create": [
        Visit(
            "record an action",
            _url("indicators:review_action_create", pk("pack")),
            answers({DMT}),
        )
    ],
    "indicators:review_action_close": [
        Visit(
            "close an action",
            _url("indicators:review_action_close", pk("action")),
            answers({DMT}),
            shows={DMT: ("'Chase the MFD supplier.'",)},
        )
    ],
    # POST-only: the DMT gets 405 for a GET, everyone else 403 first.
    "indicators:review_compute": [
        Visit("compute a fortnight (GET)", _url("indicators:review_compute"), answers({DMT}, 405))
    ],
    "indicators:scorecard": [Visit("scorecard", _url("indicators:scorecard"), answers(INDICATORS))],
    "indicators:indicator_detail": [
        Visit(
            "FR ICT 19b",
            _url("indicators:indicator_detail", slug("fr-ict-19b")),
            answers(INDICATORS),
        ),
        Visit(
            "FR ICT 17a",
            _url("indicators:indicator_detail", slug("fr-ict-17a")),
            answers(INDICATORS),
        ),
    ],
    "indicators:indicator_export": [
        Visit(
            "export CSV",
            _url("indicators:indicator_export", slug("fr-ict-19b")),
            answers(INDICATORS),
        ),
        Visit(
            "export Excel",
            _url("indicators:indicator_export", slug("fr-ict-19b"), query={"format": "xlsx"}),
            answers(INDICATORS),
        ),
    ],
    "indicators:period_value_create": [
        Visit(
            "enter a value",
            lambda w: reverse("indicators:period_value_create", args=[w.entered_indicator.slug]),
            answers({DMT}),
        ),
    ],
    "indicators:period_value_check": [
        Visit(
            "check (GET)",
            _url("indicators:period_value_check", slug("fr-ict-17a"), month),
            answers({DMT}, 405),
        ),
    ],
    "indicators:period_value_approve": [
        Visit(
            "approve (GET)",
            _url("indicators:period_value_approve", slug("fr-ict-17a"), month),
            answers({DMT}, 405),
        ),
    ],
    "indicators:period_value_behind": [
        Visit(
            "tickets behind FR ICT 17a",
            _url("indicators:period_value_behind", slug("fr-ict-17a"), month),
            answers({DMT, QO}),
            shows={
                QO: ("ticket_mine.reference", "'and 1 more in queues you cannot open'"),
                DMT: ("ticket_theirs.reference",),
            },
        ),
        Visit(
            "SARs behind FR ICT 19b",
            _url("indicators:period_value_behind", slug("fr-ict-19b"), month),
            answers({DMT, IG}),
            shows={
                DMT: ("sar.reference", "'Subject access request'"),
                IG: ("sar.reference", "'" + CANARY + "'"),
            },
        ),
        Visit(
            "FOI behind FR ICT 18b",
            _url("indicators:period_value_behind", slug("fr-ict-18b"), month),
            answers({DMT, IG}),
            shows={DMT: ("other_case.reference",)},
        ),
    ],
    "indicators:period_value_commentary": [
        Visit(
            "commentary",
            _url("indicators:period_value_commentary", slug("fr-ict-17a"), month),
            answers({DMT}),
        ),
    ],
    "indicators:period_value_revise": [
        Visit(
            "revise",
            _url("indicators:period_value_revise", slug("fr-ict-17a"), month),
            answers({DMT}),
        ),
    ],
    "indicators:api_indicator_list": [
        Visit(
            "API indicators",
            _url("indicators:api_indicator_list"),
            answers(INDICATORS, anonymous=401),
        ),
    ],
    "indicators:api_value_list": [
        Visit(
            "API values",
            _url("indicators:api_value_list", slug("fr-ict-19b")),
            answers(INDICATORS, anonymous=401),
        ),
    ],
    "indicators:api_metric_list": [
        Visit(
            "API metrics", _url("indicators:api_metric_list"), answers(INDICATORS, anonymous=401)
        ),
    ],
    "indicators:api_snapshot_list": [
        Visit(
            "API snapshots",
            _url("indicators:api_snapshot_list", query={"page_size": 200}),
            answers(INDICATORS, anonymous=401),
        ),
        Visit(
            "API snapshots by directorate",
            _url("indicators:api_snapshot_list", query={"breakdown": "directorate"}),
            answers(INDICATORS, anonymous=401),
        ),
    ],
    "indicators:briefing": [
        Visit("briefing", _url("indicators:briefing"), answers({DMT, BRIEFING}))
    ],
    # Open data: no login, the same answer for everyone (aggregates only, small cells out).
    "indicators:foi_open_data": [
        Visit(
            f"open data, {frequency} {fmt}",
            _url("indicators:foi_open_data", slug(frequency), slug(fmt)),
            answers(EVERYONE, anonymous=200),
        )
        for frequency in ("quarterly", "annual")
        for fmt in ("csv", "json")
    ]
    + [
        Visit(
            "open data, no such frequency",
            _url("indicators:foi_open_data", slug("weekly"), slug("csv")),
            answers(EVERYONE, 404, anonymous=404),
        )
    ],
    "indicators:indicators_open_data": [
        Visit(
            f"open data, indicators {fmt}",
            _url("indicators:indicators_open_data", slug(fmt)),
            answers(EVERYONE, anonymous=200),
        )
        for fmt in ("csv", "json")
    ],
    "indicators:risk_create": [Visit("new risk", _url("indicators:risk_create"), answers({DMT}))],
    "indicators:risk_update": [
        Visit("a risk", _url("indicators:risk_update", pk("risk")), answers({DMT}))
    ],
    "indicators:risk_close": [
        Visit("close a risk (GET)", _url("indicators:risk_close", pk("risk")), answers({DMT}, 405))
    ],
    "indicators:briefing_freeze": [
        Visit("freeze (GET)", _url("indicators:briefing_freeze"), answers({DMT}, 405))
    ],
    "indicators:briefing_pack_detail": [
        Visit(
            "a frozen briefing",
            _url("indicators:briefing_pack_detail", pk("briefing_pack")),
            answers({DMT, BRIEFING}),
        )
    ],
    "indicators:risk_register_mark_briefed": [
        Visit(
            "mark briefed (GET)", _url("indicators:risk_register_mark_briefed"), answers({DMT}, 405)
        ),
    ],
}


def url_names(patterns=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """Every named URL of the project with its pattern, walking included namespaces."""
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((f"{namespace}{entry.name}", entry))
    return found


ADMIN_NAMES = sorted({name for name, _ in url_names() if name.startswith("admin:")})
VISITS = [
    pytest.param(visit, id=f"{name}[{visit.label}]")
    for name, visits in MATRIX.items()
    for visit in visits
]


def _resolve(world: World, needle: str) -> str:
    if needle.startswith("'"):
        return needle.strip("'")
    value: object = world
    for part in needle.split("."):
        value = getattr(value, part)
    return str(value)


def forbidden_for(world: World, persona: str) -> list[str]:
    """What ``persona`` must never be shown, on any page."""
    secrets = []
    if persona != IG:
        # The canary, and the factories' requester names of the other cases.
        secrets += [CANARY, "Zebedee"]
    if persona == DIRECTOR:
        secrets.append(world.other_case.reference)
    if persona == QO:
        secrets.append(world.ticket_theirs.reference)
    return secrets


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_every_url_name_is_in_the_matrix():
    names = {name for name, _ in url_names() if not name.startswith("admin:")}
    missing = names - set(MATRIX)
    assert not missing, f"Add these URL names to tests/test_access_matrix.py: {sorted(missing)}"
    assert not set(MATRIX) - names, "The matrix names URLs that no longer exist"


def test_every_role_is_a_persona():
    assert set(PERSONAS) == {ANON, *(role.value for role in Role)}
    for visits in MATRIX.values():
        for visit in visits:
            assert set(visit.expect) == set(PERSONAS), visit.label


@pytest.mark.parametrize("visit", VISITS)
def test_each_persona_gets_its_answer_and_nothing_it_must_not_see(world, visit_as, visit):
    url = visit.url(world)
    problems = []
    for persona in PERSONAS:
        response = visit_as(persona, url, visit.headers)
        expected = visit.expect[persona]
        if expected == 302 and persona == ANON and visit.headers.get("HX-Request") == "true":
            # htmx is sent to sign-in by HX-Redirect, so the browser goes there whole
            # (hackperf.middleware.HtmxSignInMiddleware): an empty answer, nothing shown.
            sent = response.get("HX-Redirect", "").startswith(reverse("login"))
            if not (response.status_code == 200 and sent and not response.content):
                problems.append(f"{persona}: {response.status_code}, not sent to sign-in")
            continue
        if response.status_code != expected:
            problems.append(f"{persona}: {response.status_code}, expected {expected}")
            continue
        if expected == 302 and persona == ANON:
            assert response["Location"].startswith(reverse("login")), url
        # The CSV downloads stream (hackperf.exports): read them whole.
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace").lower()
        for secret in forbidden_for(world, persona):
            if secret.lower() in body:
                problems.append(f"{persona}: shows {secret!r}")
        for needle in visit.hides.get(persona, ()):
            if _resolve(world, needle).lower() in body:
                problems.append(f"{persona}: shows {needle}")
        for needle in visit.shows.get(persona, ()):
            if _resolve(world, needle).lower() not in body:
                problems.append(f"{persona}: lacks {needle} (positive control)")
    assert not problems, f"{url}\n" + "\n".join(problems)


def _admin_url(name: str, pattern: URLPattern, world: World) -> str:
    """An admin URL with plausible arguments: the SAR's id for object pages."""
    kwargs = {}
    for key in pattern.pattern.converters:
        kwargs[key] = {"object_id": str(world.sar.pk), "id": str(world.sar.pk)}.get(key, "1")
    if "app_label" in str(pattern.pattern) and "app_label" not in kwargs:
        kwargs["app_label"] = "infogov"
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_role_reaches_the_admin_without_staff_status(world, visit_as, persona):
    """None of the roles is staff: every admin URL sends them (and the signed-out) to the
    admin's sign-in (the signed-out to the site's), which is itself open."""
    patterns = dict(url_names())
    problems = []
    for name in ADMIN_NAMES:
        try:
            url = _admin_url(name, patterns[name], world)
        except Exception:  # a URL whose arguments we cannot guess is reported, not skipped
            problems.append(f"{name}: cannot build a URL")
            continue
        response = visit_as(persona, url)
        expected = {"admin:login": (200, 302)}.get(name, (302,))
        if response.status_code not in expected:
            problems.append(f"{name} {url}: {response.status_code}, expected {expected}")
        elif response.status_code == 302 and name not in ("admin:login", "admin:logout"):
            location = response["Location"]
            assert location.startswith((reverse("admin:login"), reverse("login"))), url
        if CANARY.lower() in response.content.decode("utf-8", "replace").lower():
            problems.append(f"{name}: shows the canary")
    assert not problems, "\n".join(problems)


INFOGOV_ADMIN = (
    "admin:index",
    "admin:app_list",
    "admin:infogov_case_changelist",
    "admin:infogov_case_change",
    "admin:infogov_case_history",
    "admin:infogov_directorate_changelist",
    "admin:infogov_escalation_changelist",
    "admin:infogov_requester_changelist",
)


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_staff_see_sar_details_in_the_admin_only_as_ig_officers(world, db, role):
    """Staff status does not widen what a role sees: non-IG staff with every infogov model
    permission see no SAR subject, exemptions, note or requester in the admin."""
    user = world.users[role]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="infogov"))
    client = Client()
    client.force_login(user)
    patterns = dict(url_names())
    bodies = {}
    for name in INFOGOV_ADMIN:
        url = _admin_url(name, patterns[name], world)
        response = client.get(url)
        if name == "admin:infogov_requester_changelist" and role != IG:
            assert response.status_code == 403, url
            continue
        assert response.status_code == 200, (url, response.status_code)
        bodies[name] = response.content.decode().lower()
    search = client.get(reverse("admin:infogov_case_changelist"), {"q": CANARY})
    found = search.context["cl"].result_count
    if role == IG:
        assert CANARY.lower() in bodies["admin:infogov_case_change"]
    else:
        leaked = [name for name, body in bodies.items() if CANARY.lower() in body]
        assert leaked == []
        assert found == 0
