"""Demo data for ``manage.py seed_demo``: targets for every indicator and two years of
monthly values, with commentary and a realistic mix of statuses, for the entered ones.

Computed indicators get their values from ``compute_indicators`` once tickets and cases
exist. Deterministic (one ``random.Random(seed)``) and idempotent: definitions and targets
are upserts, and a month that already has a value is left alone, so a second run changes
nothing (and never undoes a real approval).
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from indicators.choices import Source, Status, ToleranceKind
from indicators.models import Indicator, PeriodValue, Risk
from indicators.periods import financial_year_start, month_start, shift_month
from indicators.services.definitions import definitions_sync
from indicators.services.review_packs import review_pack_freeze
from indicators.services.risks import risk_close, risk_save
from indicators.services.targets import target_set
from indicators.services.values import (
    period_value_approve,
    period_value_check,
    period_value_comment,
    period_value_enter,
)

MONTHS = 24

# Per indicator code: the target this financial year and last, its tolerance, and, for
# entered indicators, where the demo series starts and how it drifts each month.
TARGETS: dict[str, tuple[Decimal, Decimal, str, Decimal]] = {
    "FR ICT 17": (Decimal(90), Decimal(85), ToleranceKind.ABSOLUTE, Decimal(5)),
    "FR ICT 18a": (Decimal(90), Decimal(90), ToleranceKind.ABSOLUTE, Decimal(5)),
    "FR ICT 18c": (Decimal(30), Decimal(40), ToleranceKind.ABSOLUTE, Decimal(10)),
    "FR ICT 19a": (Decimal(90), Decimal(85), ToleranceKind.ABSOLUTE, Decimal(5)),
    "FR ICT 19c": (Decimal(15), Decimal(20), ToleranceKind.ABSOLUTE, Decimal(5)),
    "ICT SAT": (Decimal(85), Decimal(80), ToleranceKind.PERCENT, Decimal(5)),
    "DIG RES SAT": (Decimal(75), Decimal(70), ToleranceKind.PERCENT, Decimal(5)),
    "ICT MODERN": (Decimal(80), Decimal(60), ToleranceKind.ABSOLUTE, Decimal(10)),
}
SERIES: dict[str, tuple[float, float, float]] = {
    # code: (first value, drift per month, noise)
    "DIG RES SAT": (66.0, 0.35, 2.5),
    "ICT MODERN": (48.0, 1.4, 1.5),
}
COMMENTARY = {
    "better": "Up on last month. {detail}",
    "worse": "Down on last month. {detail}",
}
DETAILS = {
    "DIG RES SAT": (
        "The new bin-collection pages drew good feedback.",
        "Complaints about the parking permit journey pulled the score down.",
        "Fewer responses than usual over the holidays.",
        "The council tax pages were rewritten after user research.",
    ),
    "ICT MODERN": (
        "Another directorate moved to cloud e-mail and chat.",
        "Laptop refresh for social care teams finished.",
        "Usage of video meetings dipped during the school holidays.",
        "Training sessions for shared documents were fully booked.",
    ),
}


COMPUTED_COMMENTARY = "Computed from the records; the service lead found no exceptions."


def _people():
    """Who entered and checked the demo values (no passwords: they never sign in).

    Approval is by a third person, as the four-eyes rule requires (``_store``).
    """
    User = get_user_model()
    officer, _ = User.objects.get_or_create(
        username="perf-officer",
        defaults={"first_name": "Priya", "last_name": "Nair", "email": "perf@hackperf.example"},
    )
    manager, _ = User.objects.get_or_create(
        username="perf-manager",
        defaults={"first_name": "Tom", "last_name": "Reilly", "email": "tom@hackperf.example"},
    )
    for person in (officer, manager):
        if person.has_usable_password():
            person.set_unusable_password()
            person.save(update_fields=["password"])
    return officer, manager


@transaction.atomic
def seed(*, now: datetime, seed: int = 2026) -> dict[str, int]:
    """Load the indicator demo data for the 24 months before ``now``'s month.

    Returns how many targets and values it created, by kind.
    """
    rng = random.Random(seed)
    definitions_sync()
    officer, manager = _people()
    approver = _approver()
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    this_month = month_start(timezone.localdate(now))
    first_month = shift_month(this_month, -MONTHS)
    this_year = financial_year_start(shift_month(this_month, -1))
    last_year = this_year.replace(year=this_year.year - 1)
    earliest_year = financial_year_start(first_month)

    counts = {"targets": 0, "values": 0}
    for code, (current, previous, kind, amount) in TARGETS.items():
        indicator = indicators[code]
        # The earliest demo month may fall in last year's financial year or the one before.
        years = {earliest_year: previous, last_year: previous, this_year: current}
        for effective_from, value in years.items():
            target_set(
                indicator=indicator,
                effective_from=effective_from,
                value=value,
                tolerance_kind=kind,
                tolerance_amount=amount,
                note=f"Set by the DMT for the year from {effective_from:%-d %B %Y}.",
            )
            counts["targets"] += 1

    existing = set(
        PeriodValue.objects.filter(period_start__gte=first_month).values_list(
            "indicator__code", "period_start"
        )
    )
    for code, indicator in indicators.items():
        if indicator.source != Source.ENTERED or code not in SERIES:
            continue
        start, drift, noise = SERIES[code]
        previous_value = None
        for n in range(MONTHS):
            period = shift_month(first_month, n)
            # Draw every month's numbers whether or not it is stored, so the series does
            # not depend on what a previous run left.
            value = Decimal(f"{min(99.0, max(0.0, start + drift * n + rng.gauss(0, noise))):.1f}")
            detail = rng.choice(DETAILS[code])
            if (code, period) in existing:
                previous_value = value
                continue
            trend = "better" if previous_value is None or value >= previous_value else "worse"
            status = _status_for(months_ago=MONTHS - n)
            _store(
                indicator=indicator,
                period=period,
                value=value,
                commentary=COMMENTARY[trend].format(detail=detail),
                data_quality_note=(
                    "Survey sample below 100 responses."
                    if code == "DIG RES SAT" and n % 7 == 3
                    else ""
                ),
                status=status,
                officer=officer,
                manager=manager,
                approver=approver,
            )
            counts["values"] += 1
            previous_value = value
    counts["risks"] = _seed_risks(indicators, now=now)
    return counts


RISKS = (
    # title, owner, (likelihood, impact) at the last briefing, now, mitigations, indicators
    (
        "Cyber attack disrupts council systems",
        "Head of ICT Security",
        (3, 5),
        (4, 5),
        "Patching within 14 days; immutable backups tested monthly; phishing exercises.",
        ("FR ICT 17",),
    ),
    (
        "FOI requests answered late breach the ICO's expectations",
        "Information Governance Manager",
        (3, 3),
        (3, 4),
        "Weekly chase of cases due in 5 working days; directors escalated at T-2.",
        ("FR ICT 18a", "FR ICT 18c"),
    ),
    (
        "Subject access requests exceed the one-month limit",
        "Information Governance Manager",
        (3, 4),
        (2, 4),
        "Redaction tool in use; two temporary officers until March.",
        ("FR ICT 19a", "FR ICT 19c"),
    ),
    (
        "Service desk cannot meet demand after the office move",
        "Head of ICT Service Delivery",
        (2, 3),
        (2, 3),
        "Walk-up desk on each floor for the first month; self-service portal promoted.",
        ("FR ICT 17", "FR ICT 17a", "ICT SAT"),
    ),
    (
        "Low take-up of collaboration tools delays the paper-free target",
        "Head of Digital",
        (2, 2),
        (2, 2),
        "Champions in each directorate; training sessions booked to March.",
        ("ICT MODERN",),
    ),
)


def _seed_risks(indicators, *, now: datetime) -> int:
    """A risk register as the DMT keeps it: scored at the last briefing, rescored since, one
    closed. Left alone when the register already has risks."""
    if Risk.objects.exists():
        return 0
    officer, _ = _people()
    review = timezone.localdate(now) + timedelta(days=90)
    before = now - timedelta(days=40)
    for title, owner, (l_then, i_then), (l_now, i_now), mitigations, codes in RISKS:
        risk = risk_save(
            title=title,
            owner=owner,
            likelihood=l_then,
            impact=i_then,
            mitigations=mitigations,
            review_date=review,
            linked_indicators=[indicators[code] for code in codes if code in indicators],
            by=officer,
            now=before,
        )
        risk.previous_score = l_then * i_then
        risk.save(update_fields=["previous_score"])
        if (l_then, i_then) != (l_now, i_now):
            risk_save(
                risk=risk, likelihood=l_now, impact=i_now, by=officer, now=now - timedelta(days=5)
            )
    closed = risk_save(
        title="Windows 10 end of support leaves unpatched laptops",
        owner="Head of ICT Infrastructure",
        likelihood=2,
        impact=4,
        mitigations="Laptop refresh.",
        review_date=review,
        by=officer,
        now=before,
    )
    risk_close(
        risk=closed,
        note="Every laptop now runs Windows 11.",
        by=officer,
        now=now - timedelta(days=9),
    )
    return len(RISKS) + 1


def _status_for(*, months_ago: int) -> str:
    """Last month's return is only entered; older ones approved, like the computed ones, so the
    briefing reports one month for every indicator (the month before last)."""
    if months_ago == 1:
        return Status.ENTERED
    return Status.APPROVED


def _approver():
    """The Director of ICT, who approves what the performance manager has checked."""
    User = get_user_model()
    director, _ = User.objects.get_or_create(
        username="ict-director",
        defaults={"first_name": "Grace", "last_name": "Okafor", "email": "grace@hackperf.example"},
    )
    if director.has_usable_password():
        director.set_unusable_password()
        director.save(update_fields=["password"])
    return director


def sign_off_computed(*, before: date, approver, now: datetime) -> int:
    """Take the computed values of months before ``before`` through the flow as the owners
    would have: the commentary written, checked by the performance manager, approved by
    ``approver``. Returns how many it approved; values already past *entered* are left."""
    officer, manager = _people()
    approved = 0
    for value in (
        PeriodValue.objects.filter(
            indicator__is_computed=True, status=Status.ENTERED, period_start__lt=before
        )
        .select_related("indicator")
        .order_by("pk")
    ):
        if not value.commentary:
            value = period_value_comment(
                period_value=value,
                commentary=COMPUTED_COMMENTARY.format(
                    code=value.indicator.code, month=f"{value.period_start:%B %Y}"
                ),
                by=officer,
                now=now,
            )
        value = period_value_check(period_value=value, by=manager, now=now)
        period_value_approve(period_value=value, by=approver, now=now)
        approved += 1
    return approved


def _store(
    *, indicator, period, value, commentary, data_quality_note, status, officer, manager, approver
):
    """Take one value through the flow as far as ``status``, at times in its following month."""
    entered_at = timezone.make_aware(datetime.combine(shift_month(period, 1), datetime.min.time()))
    entered_at += timedelta(days=4, hours=10)
    period_value = period_value_enter(
        indicator=indicator,
        period_start=period,
        value=value,
        commentary=commentary,
        data_quality_note=data_quality_note,
        by=officer,
        now=entered_at,
    )
    if status in (Status.CHECKED, Status.APPROVED):
        period_value = period_value_check(
            period_value=period_value, by=manager, now=entered_at + timedelta(days=2)
        )
    if status == Status.APPROVED:
        period_value_approve(
            period_value=period_value, by=approver, now=entered_at + timedelta(days=5)
        )


# --- The DMT review: a frozen pack with actions ---------------------------------------------

REVIEW_COMMENTARY = (
    "Open incidents back under 200 after the laptop refresh; reopened tickets still high on "
    "the desktop queue. MFD faults steady since the supplier's engineer visit. FOI overdue "
    "cases up: two large requests in Climate, Homes and Economy."
)
# (what, owner's demo username, due in days from the review, closed with this note or "")
REVIEW_ACTIONS = (
    ("Review reopened desktop tickets with the team leaders.", "queue-owner", 7, ""),
    ("Agree an MFD service credit with the supplier.", "dmt", 14, ""),
    ("Brief directors on the two overdue FOI requests.", "ig-officer", 3, "Briefed on Monday."),
)


@transaction.atomic
def seed_review(*, now: datetime) -> int:
    """Freeze the review of the fortnight before the latest, as the DMT would have at its
    last meeting, with its commentary and actions (one since closed with a note), so the
    review shows open actions carried forward and the latest fortnight is left to freeze.
    Left alone when a pack exists. Returns the number of packs frozen."""
    from indicators import review_actions, selectors
    from indicators.models import ReviewPack

    if ReviewPack.objects.exists():
        return 0
    figures = selectors.review_figures()
    if figures is None or len(figures["instants"]) < 2:
        return 0
    end = datetime.fromisoformat(figures["instants"][-2])
    people = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_OWNERS)}
    dmt = people["dmt"]
    met = end + timedelta(days=1, hours=10)  # Tuesday morning's meeting
    pack = review_pack_freeze(fortnight_end=end, by=dmt, commentary=REVIEW_COMMENTARY, now=met)
    for description, owner, days, note in REVIEW_ACTIONS:
        action = review_actions.review_action_add(
            pack=pack,
            description=description,
            owner=people[owner],
            due=timezone.localdate(met) + timedelta(days=days),
            by=dmt,
            now=met,
        )
        if note:
            review_actions.review_action_close(
                action=action, note=note, by=people[owner], now=met + timedelta(days=days)
            )
    return 1


DEMO_OWNERS = ("dmt", "queue-owner", "ig-officer")
