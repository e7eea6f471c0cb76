"""Demo data for ``seed_demo``: the council's directorates and a year of FOI, EIR and SARs.

Deterministic for a given ``now`` and ``seed``; bulk-created (about 2,000 cases in a few
seconds). Running it again replaces the cases of the demo directorates.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from infogov import exemptions, selectors
from infogov.choices import (
    OPEN_STATUSES,
    Channel,
    EventKind,
    ExtensionReason,
    Kind,
    Outcome,
    Status,
)
from infogov.models import Case, ClockEvent, Directorate, DueDateChange, Requester, Service
from infogov.services.cases import case_apply_deadline, case_deadline

FOI_EIR_PER_YEAR = 1800
SAR_PER_YEAR = 150

# name, director, group director e-mail, services (name, lead)
DIRECTORATES: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Adults, Health and Integration",
        "Helen Woodland",
        "group.director.ahi@hackney.example",
        (
            ("Adult Social Care", "Georgina Diba"),
            ("Public Health", "Sandra Husbands"),
            ("Commissioning", "Denise D'Souza"),
        ),
    ),
    (
        "Children and Education",
        "Jacquie Burke",
        "group.director.ce@hackney.example",
        (
            ("Children's Social Care", "Lisa Aldridge"),
            ("Education Services", "Paul Senior"),
            ("Early Years", "Donna Thomas"),
        ),
    ),
    (
        "Climate, Homes and Economy",
        "Rickardo Hyatt",
        "group.director.che@hackney.example",
        (
            ("Housing Services", "Jennifer Wynter"),
            ("Planning and Building Control", "Aled Richards"),
            ("Streetscene", "Joe McCaffrey"),
            ("Environmental Operations", "Tony Wright"),
            ("Regeneration", "Suzanne Johnson"),
        ),
    ),
    (
        "Finance and Corporate Resources",
        "Jackie Moylan",
        "group.director.fcr@hackney.example",
        (
            ("Revenues and Benefits", "Kevin Landy"),
            ("ICT", "Rob Miller"),
            ("Procurement", "Rotimi Ajilore"),
            ("Property Services", "Chris Pritchard"),
        ),
    ),
    (
        "Chief Executive's",
        "Mark Carroll",
        "",
        (
            ("Legal and Governance", "Dawn Carter-McDonald"),
            ("Communications", "Polly Cziok"),
            ("Human Resources", "Mario Kahraman"),
            ("Electoral Services", "Rob Jones"),
        ),
    ),
)

# The directorate the demo directors answer for (the people-and-roles page can change it).
DEMO_DIRECTOR_DIRECTORATE = "Children and Education"

# Weights of FOI/EIR requests by directorate (housing and planning draw the most).
DIRECTORATE_WEIGHTS = (18, 17, 40, 15, 10)

SUBJECTS = (
    "Spending on agency staff",
    "Parking fines issued by street",
    "Temporary accommodation placements",
    "Contracts with IT suppliers",
    "Pothole repairs and claims",
    "Children in care placements out of borough",
    "Housing repairs backlog",
    "Fly-tipping incidents and fines",
    "Council tax arrears and enforcement",
    "Planning enforcement complaints",
    "Tree felling on council land",
    "Air quality monitoring data",
    "School admissions appeals",
    "Cyber security incidents",
    "Public health grant spending",
    "Empty homes and second homes",
    "Low traffic neighbourhood consultations",
    "Senior officer salaries",
)
FIRST_NAMES = ("Alex", "Sam", "Priya", "Tomasz", "Grace", "Yusuf", "Chloe", "Kwame", "Mei", "Orla")
LAST_NAMES = ("Taylor", "Begum", "Okafor", "Nowak", "Murphy", "Ali", "Smith", "Chen", "Jones")


@dataclass(frozen=True)
class DemoSummary:
    directorates: int
    services: int
    cases: int
    open_cases: int


def _directorates() -> list[Directorate]:
    directorates = []
    for name, director, group_email, services in DIRECTORATES:
        slug = "".join(word[0] for word in name.replace(",", "").split()).lower()
        directorate, _ = Directorate.objects.update_or_create(
            name=name,
            defaults={
                "director_name": director,
                "director_email": f"director.{slug}@hackney.example",
                "group_director_email": group_email,
            },
        )
        for service_name, lead in services:
            Service.objects.update_or_create(
                directorate=directorate,
                name=service_name,
                defaults={
                    "lead_name": lead,
                    "lead_email": "{}.{}@hackney.example".format(
                        *lead.lower().replace("'", "").split()[:: len(lead.split()) - 1]
                    ),
                },
            )
        directorates.append(directorate)
    return directorates


def _link_demo_directors(directorates: list[Directorate]) -> None:
    """Directors with no directorate yet answer for the demo's one (so the demo shows scoping)."""
    target = next(d for d in directorates if d.name == DEMO_DIRECTOR_DIRECTORATE)
    for director in selectors.directors_with_directorates():
        if not director.infogov_directorates.all():
            target.directors.add(director)


def _weekday_in(rng: random.Random, start: date, end: date) -> date:
    while True:
        d = start + timedelta(days=rng.randrange((end - start).days + 1))
        if d.weekday() < 5 or rng.random() < 0.05:  # a few arrive at weekends (web forms)
            return d


@transaction.atomic
def seed(*, now: datetime, seed: int = 2026) -> DemoSummary:
    """Create the directorates and services, and a year of cases up to ``now``."""
    rng = random.Random(seed)
    today = timezone.localdate(now)
    calendar = selectors.holiday_calendar()
    directorates = _directorates()
    _link_demo_directors(directorates)
    services = {d.pk: list(d.services.order_by("name", "pk")) for d in directorates}
    officers = list(selectors.case_officers()) or [None]
    Case.objects.filter(directorate__in=directorates).delete()

    first = today - timedelta(days=365)
    plan = [Kind.FOI] * (FOI_EIR_PER_YEAR * 9 // 10)
    plan += [Kind.EIR] * (FOI_EIR_PER_YEAR - len(plan))
    plan += [Kind.SAR] * SAR_PER_YEAR
    received_dates = sorted(_weekday_in(rng, first, today) for _ in plan)
    rng.shuffle(plan)

    cases: list[Case] = []
    events_by_case: list[list[ClockEvent]] = []
    names: list[str] = []
    counters: dict[tuple[str, int], int] = {}
    for kind, received in zip(plan, received_dates, strict=True):
        directorate = rng.choices(directorates, weights=DIRECTORATE_WEIGHTS)[0]
        if kind == Kind.SAR:  # SARs mostly concern social care and housing records
            directorate = rng.choices(directorates, weights=(40, 35, 20, 3, 2))[0]
        counters[(kind, received.year)] = counters.get((kind, received.year), 0) + 1
        case = Case(
            reference=f"{kind.upper()}-{received.year}-{counters[(kind, received.year)]:05d}",
            kind=kind,
            received=received,
            channel=rng.choices(list(Channel), weights=(60, 30, 6, 2, 2))[0],
            subject=rng.choice(SUBJECTS) if kind != Kind.SAR else "Access to personal records",
            directorate=directorate,
            service=rng.choice(services[directorate.pk]),
            officer=rng.choice(officers),
        )
        case.request_text = _request_text(case)
        events = _events(rng, case, today)
        deadline = case_deadline(case=case, events=events, calendar=calendar)
        case_apply_deadline(case, deadline)
        _respond(rng, case, events, today)
        cases.append(case)
        events_by_case.append(events)
        names.append(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")

    Case.objects.bulk_create(cases, batch_size=500)
    Requester.objects.bulk_create(
        [
            Requester(case=case, name=name, email=f"{name.lower().replace(' ', '.')}@example.org")
            for case, name in zip(cases, names, strict=True)
        ],
        batch_size=500,
    )
    events = []
    for case, case_events in zip(cases, events_by_case, strict=True):
        for event in case_events:
            event.case = case
            events.append(event)
    ClockEvent.objects.bulk_create(events, batch_size=1000)
    DueDateChange.objects.bulk_create(
        [DueDateChange(case=c, old=None, new=c.due, reason="Case logged.", at=now) for c in cases],
        batch_size=1000,
    )
    return DemoSummary(
        directorates=len(directorates),
        services=sum(len(s) for s in services.values()),
        cases=len(cases),
        open_cases=sum(1 for c in cases if c.status in OPEN_STATUSES),
    )


# Five of each, so the random draws (and so the demo) stay as they were before the list.
TYPED_EXEMPTIONS = {
    Kind.FOI: ("s.40(2)", "s.43(2)", "s.12", "s.31(1)(a)", "s.21"),
    Kind.EIR: ("reg 13", "reg 12(5)(e)", "reg 12(4)(b)", "reg 12(5)(b)", "reg 12(4)(a)"),
    Kind.SAR: (
        "Sch 2 para 16 (third parties)",
        "Sch 2 para 19 (legal privilege)",
        "Sch 2 para 2 (crime)",
        "Sch 3 para 2 (health)",
        "Sch 2 para 16 (third parties)",
    ),
}


def _request_text(case: Case) -> str:
    """A plausible request in the requester's words (demo only; no random draw)."""
    if case.kind == Kind.SAR:
        return (
            "Under the UK GDPR I ask for a copy of all the personal data the council holds "
            "about me, including e-mails that mention me, from 2020 to date."
        )
    return (
        f"Dear Sir or Madam, please send me the information you hold about "
        f"{case.subject.lower()} for the last three financial years, broken down by year, "
        "in a spreadsheet if possible. Thank you."
    )


def _events(rng: random.Random, case: Case, today: date) -> list[ClockEvent]:
    """Clock events: some clarified, some with ID requested (SAR), some extended."""
    events: list[ClockEvent] = []
    roll = rng.random()
    if roll < 0.08:  # clarified
        asked = case.received + timedelta(days=rng.randint(1, 4))
        answered = asked + timedelta(days=rng.randint(2, 12))
        if asked <= today:
            events.append(ClockEvent(kind=EventKind.CLARIFICATION_REQUESTED, date=asked))
        if answered <= today:
            events.append(ClockEvent(kind=EventKind.CLARIFICATION_RECEIVED, date=answered))
    elif case.kind == Kind.SAR and roll < 0.3:  # proof of identity needed
        asked = case.received + timedelta(days=1)
        answered = asked + timedelta(days=rng.randint(2, 15))
        if asked <= today:
            events.append(ClockEvent(kind=EventKind.ID_REQUESTED, date=asked))
        if answered <= today:
            events.append(ClockEvent(kind=EventKind.ID_RECEIVED, date=answered))
    if rng.random() < 0.05:  # extended
        when = case.received + timedelta(days=rng.randint(10, 18))
        if when <= today and not any(
            e.kind in (EventKind.CLARIFICATION_REQUESTED, EventKind.ID_REQUESTED)
            and not any(
                f.kind in (EventKind.CLARIFICATION_RECEIVED, EventKind.ID_RECEIVED) for f in events
            )
            for e in events
        ):
            reason = {
                Kind.FOI: ExtensionReason.PUBLIC_INTEREST,
                Kind.EIR: ExtensionReason.EIR_COMPLEXITY,
                Kind.SAR: ExtensionReason.SAR_COMPLEXITY,
            }[Kind(case.kind)]
            events.append(
                ClockEvent(
                    kind=EventKind.EXTENSION,
                    date=when,
                    extension_reason=reason,
                    extension_days=None if case.kind == Kind.SAR else 20,
                    note="Demo extension.",
                )
            )
    return events


def _respond(rng: random.Random, case: Case, events: list[ClockEvent], today: date) -> None:
    """Most on time (about 88%), some late; those not yet answered stay open."""
    if rng.random() < 0.02:
        withdrawn = case.received + timedelta(days=rng.randint(1, 15))
        if withdrawn <= today:
            case.status, case.outcome, case.withdrawn = (
                Status.WITHDRAWN,
                Outcome.WITHDRAWN,
                withdrawn,
            )
            events.append(ClockEvent(kind=EventKind.WITHDRAWN, date=withdrawn))
            return
    if rng.random() < 0.88:
        responded = case.due - timedelta(days=rng.randint(0, 12))
    else:
        responded = case.due + timedelta(days=rng.randint(1, 25))
    start = max([case.received, *(e.date for e in events)])
    responded = max(responded, start)
    if responded > today or case.clock_stopped:
        return
    case.responded = responded
    case.outcome = rng.choices(
        [Outcome.SUPPLIED_IN_FULL, Outcome.SUPPLIED_IN_PART, Outcome.REFUSED, Outcome.NOT_HELD],
        weights=(50, 25, 15, 10),
    )[0]
    if case.outcome == Outcome.REFUSED:
        # Typed as officers used to type them; the list's parser files what it recognises
        # (s.12, the cost limit, is no Part II exemption and stays as typed).
        typed = rng.choice(TYPED_EXEMPTIONS[Kind(case.kind)])
        case.exemption_codes, case.exemptions = exemptions.parse(typed, case.kind)
    case.status = Status.CLOSED if responded < today - timedelta(days=14) else Status.RESPONDED
    events.append(ClockEvent(kind=EventKind.RESPONDED, date=responded))
