"""How we compare: the council's FOI "in time" share beside a peer group's published figures.

``distribution`` is the pure part (median, range, rank); ``foi_peer_comparison`` reads the
peers' rows and our own figure (``infogov.metrics.foi_timeliness``, FR ICT 18a "in time":
responded on or before the due date, permitted extensions counted, FOI and EIR together,
which is how the published sets count "in time" too). A fixed number of queries: the peer
rows (one), our figure for the peer year (one), and when we have none for that year our
latest twelve months (two more: the share and the volume).
"""

import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from hackperf.charts import dot_strip_svg
from infogov.peers.models import ENGLISH_REGIONS, SINGLE_TIER, BodyType, PeerStatistic, Source

PEER_YEAR = 2017  # the one year of the local-government set
PEER_SOURCE = Source.LOCALGOV_2017
COUNCIL_TYPES = (
    BodyType.LONDON_BOROUGH,
    BodyType.METROPOLITAN_DISTRICT,
    BodyType.UNITARY,
    BodyType.COUNTY,
    BodyType.DISTRICT,
)
NEAREST = 15

PEER_GROUPS = {
    "london_boroughs": "London boroughs",
    "english_single_tier": "English single-tier councils",
    "nearest_15": f"the {NEAREST} councils nearest our request volume",
}
DEFAULT_GROUP = "london_boroughs"
ERR_GROUP = "unknown peer group {group!r}; known: {known}"


@dataclass(frozen=True)
class Peer:
    name: str
    share: Decimal
    requests: int
    year_basis: str


@dataclass(frozen=True)
class Distribution:
    count: int
    median: Decimal
    low: Decimal
    high: Decimal
    rank: int | None  # ours among the peers and us, 1 = most in time; None without ours


def distribution(shares: list[Decimal], ours: Decimal | None) -> Distribution | None:
    """Median, range and our rank (1 + the peers strictly above us, so ties share a rank)."""
    if not shares:
        return None
    median = Decimal(statistics.median(shares)).quantize(Decimal("0.1"))
    rank = None if ours is None else 1 + sum(1 for s in shares if s > ours)
    return Distribution(len(shares), median, min(shares), max(shares), rank)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class PeerComparison:
    """The line, its chart and its table; every figure names its source and year."""

    group: str
    group_label: str
    peer_year: int
    source_label: str
    peers: list[Peer]
    stats: Distribution | None
    ours: Decimal | None
    ours_responded: int
    ours_period: str  # "2017" or "the 12 months to November 2026"
    ours_is_peer_year: bool
    ours_year_end: date | None

    @property
    def peer_data_older(self) -> bool:
        return not self.ours_is_peer_year and self.ours is not None

    @property
    def years_older(self) -> int | None:
        if self.ours_year_end is None:
            return None
        return self.ours_year_end.year - self.peer_year

    @property
    def rank_words(self) -> str:
        if self.stats is None or self.stats.rank is None:
            return ""
        return f"{ordinal(self.stats.rank)} of {self.stats.count + 1}"

    @property
    def table_rows(self) -> list[tuple[str, int | None, Decimal | None, str, bool]]:
        """(name, requests, % in time, year basis, is ours), best first, ours in its place."""
        rows: list[tuple[str, int | None, Decimal | None, str, bool]] = [
            (p.name, p.requests, p.share, p.year_basis, False) for p in self.peers
        ]
        if self.ours is not None:
            place = (self.stats.rank - 1) if self.stats and self.stats.rank else len(rows)
            rows.insert(place, (f"Ours ({self.ours_period})", None, self.ours, "", True))
        return rows

    @cached_property
    def chart(self) -> SafeString:
        shares = [float(p.share) for p in self.peers]
        label = (
            f"FOI answered in time: {self.stats.count if self.stats else 0} {self.group_label}, "
            f"{self.peer_year} ({self.source_label}), one dot each; the black line is their "
            "median"
            + (
                f"; ours ({self.ours_period}) {self.ours}% is marked"
                if self.ours is not None
                else ""
            )
            + "."
        )
        return dot_strip_svg(
            shares,
            ours=None if self.ours is None else float(self.ours),
            median=None if self.stats is None else float(self.stats.median),
            label=label,
        )


def _month_end(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


def foi_peer_comparison(*, today: date, group: str | None = None) -> PeerComparison:
    """FOI answered in time: ours beside ``group`` (settings.INFOGOV_PEER_GROUP by default).

    Ours is for the peer year when we have responses in it; otherwise for the twelve full
    months to the end of last month, and the comparison says the peer data is older.
    """
    from infogov import metrics  # metrics imports selectors; imported here to avoid a cycle

    group = group or getattr(settings, "INFOGOV_PEER_GROUP", DEFAULT_GROUP)
    if group not in PEER_GROUPS:
        raise ValueError(ERR_GROUP.format(group=group, known=", ".join(PEER_GROUPS)))
    _, in_time = metrics.foi_timeliness(start=date(PEER_YEAR, 1, 1), end=date(PEER_YEAR, 12, 31))
    year_end: date | None
    ours_period, is_peer_year, year_end = str(PEER_YEAR), True, date(PEER_YEAR, 12, 31)
    volume = in_time.denominator
    if in_time.denominator == 0:
        end = _month_end(today)
        start = (end.replace(day=1) - timedelta(days=334)).replace(day=1)
        _, in_time = metrics.foi_timeliness(start=start, end=end)
        volume = metrics.foi_received(start=start, end=end)
        ours_period = f"the 12 months to {end:%B %Y}"
        is_peer_year, year_end = False, end
        if in_time.denominator == 0:
            year_end = None
    ours = in_time.percent

    rows = PeerStatistic.objects.filter(
        source=PEER_SOURCE,
        year=PEER_YEAR,
        quarter=0,
        in_time_share__isnull=False,
        body__body_type__in=COUNCIL_TYPES,
    ).select_related("body")
    own_name = getattr(settings, "INFOGOV_PEER_OWN_NAME", "")
    candidates = [r for r in rows if r.body.name != own_name]
    if group == "london_boroughs":
        chosen = [r for r in candidates if r.body.body_type == BodyType.LONDON_BOROUGH]
    elif group == "english_single_tier":
        chosen = [
            r
            for r in candidates
            if r.body.body_type in SINGLE_TIER and r.body.region in ENGLISH_REGIONS
        ]
    else:
        chosen = sorted(candidates, key=lambda r: (abs(r.requests - volume), r.body.name))
        chosen = chosen[:NEAREST]
    peers = sorted(
        # in_time_share is not null: the query above says so.
        (Peer(r.body.name, r.in_time_share, r.requests, r.year_basis) for r in chosen),  # type: ignore[arg-type]
        key=lambda p: (-p.share, p.name),
    )
    return PeerComparison(
        group=group,
        group_label=PEER_GROUPS[group],
        peer_year=PEER_YEAR,
        source_label="mySociety, Freedom of Information in Local Government (2019), CC BY 4.0",
        peers=peers,
        stats=distribution([p.share for p in peers], ours),
        ours=ours,
        ours_responded=in_time.denominator,
        ours_period=ours_period,
        ours_is_peer_year=is_peer_year,
        ours_year_end=year_end,
    )
