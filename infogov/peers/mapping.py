"""Each published set's rows, mapped to one shape (pure: no ORM, no settings, no clock).

One ``PeerRow`` per body and period: body, type, region, period, requests, answered in
time, the in-time share, internal reviews and appeals to the Commissioner. A row the shape
cannot hold honestly is a ``Refused`` with the reason, never a row of zeros. What each set's
columns mean, and so why each mapping reads as it does, is in the sets' READMEs.
"""

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from infogov.peers.models import BodyType, Source

LOCALGOV_FILE = "total_fois_with_wdtk.csv"
SCOTLAND_GLOB = "foisa_*.csv"
CENTRAL_FILE = "foi-statistics-2020-published-data.csv"
CLASSIFICATION_FILE = Path(__file__).parent / "data" / "bodies.csv"
SHIPPED_LIST = "shipped list (infogov/peers/data/bodies.csv)"

ERR_NO_REQUESTS = "no request count (not supplied)"
ERR_NOT_CLASSIFIED = "body not in the shipped classification"
ERR_BAD_NUMBER = "not a count: {column}={value!r}"
ERR_BAD_PERIOD = "period not understood: {value!r}"
WARN_IN_TIME_ABOVE = "more answered in time than requests: loaded without the in-time figure"


@dataclass(frozen=True)
class PeerRow:
    source: str
    body: str
    body_type: str
    region: str
    classified_from: str
    year: int
    quarter: int
    year_basis: str
    requests: int
    in_time: int | None
    in_time_base: int | None
    # in_time over in_time_base, as a percentage: worked out here, the one place it is.
    in_time_share: Decimal | None = field(init=False)
    internal_reviews: int | None
    appeals: int | None
    warning: str = ""  # loaded, but a figure was left out (the report counts these)

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_time_share", share(self.in_time, self.in_time_base))


@dataclass(frozen=True)
class Refused:
    source: str
    where: str  # file and line, for the report
    body: str
    reason: str


class _Unreadable(ValueError):
    pass


def count(value: str | None, column: str) -> int | None:
    """A published count: blank and "-" mean not supplied (None); "1,234" is 1234."""
    text = (value or "").strip().replace(",", "")
    if text in ("", "-"):
        return None
    if not text.isdigit():
        raise _Unreadable(ERR_BAD_NUMBER.format(column=column, value=value))
    return int(text)


def share(numerator: int | None, denominator: int | None) -> Decimal | None:
    """numerator / denominator as a percentage to 2 places; None when either is missing or 0."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _plus(*values: int | None) -> int | None:
    """The sum of the supplied values; None when none was supplied."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _checked(row: PeerRow) -> PeerRow:
    """A share above 100% is a slip in the return: keep the counts, drop the in-time figure."""
    if row.in_time is not None and row.in_time_base is not None and row.in_time > row.in_time_base:
        return replace(row, in_time=None, warning=WARN_IN_TIME_ABOVE)
    return row


# --- uk-localgov-foi-stats-2017 --------------------------------------------------------------


def load_classification(path: Path = CLASSIFICATION_FILE) -> dict[str, tuple[str, str]]:
    """The shipped classification: council name → (body type, region)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {r["name"]: (r["body_type"], r["region"]) for r in csv.DictReader(handle)}


def map_localgov(row: Mapping[str, str], classification: Mapping[str, tuple[str, str]]) -> PeerRow:
    """mySociety's 2017 local-government figures: ``all`` requests (FOI and EIR), ``in_time``,
    ``ir`` (internal reviews) and ``ico`` (appeals to the ICO). ``type`` is the year basis
    (Calendar, Financial, ...), not the kind of council; that comes from the shipped list."""
    name = row["council"].strip()
    requests = count(row.get("all"), "all")
    if requests is None:
        raise _Unreadable(ERR_NO_REQUESTS)
    if name not in classification:
        raise _Unreadable(ERR_NOT_CLASSIFIED)
    body_type, region = classification[name]
    in_time = count(row.get("in_time"), "in_time")
    return _checked(
        PeerRow(
            source=Source.LOCALGOV_2017,
            body=name,
            body_type=body_type,
            region=region,
            classified_from=SHIPPED_LIST,
            year=2017,
            quarter=0,
            year_basis=(row.get("type") or "").strip() or "not stated",
            requests=requests,
            in_time=in_time,
            in_time_base=requests,
            internal_reviews=count(row.get("ir"), "ir"),
            appeals=count(row.get("ico"), "ico"),
        )
    )


# --- scotland-foisa-stats ----------------------------------------------------------------------

# OSIC's "Local Government" sector also holds licensing boards, valuation joint boards,
# assessors and transport partnerships: only a council is a Scottish council.
_SCOTTISH_COUNCIL = re.compile(r"\bCouncil\b|^Comhairle nan Eilean Siar$")
_NOT_A_COUNCIL = re.compile(r"^Assessor|Valuation Joint Board|^Tay Road Bridge")


def scottish_body_type(name: str, sector: str) -> str:
    if sector.strip() == "Local Government" and _SCOTTISH_COUNCIL.search(name):
        if not _NOT_A_COUNCIL.search(name):
            return BodyType.SCOTTISH_COUNCIL
    return BodyType.OTHER


def _col(row: Mapping[str, str], name: str) -> str | None:
    """A column by name, forgiving the trailing spaces some OSIC headers carry."""
    if name in row:
        return row[name]
    for key, value in row.items():
        if key and key.strip() == name:
            return value
    return None


def map_scotland(row: Mapping[str, str], year: int) -> PeerRow:
    """OSIC's yearly figures: FOISA and EIR requests, responses on time and reviews, added
    together (our own figure counts FOI and EIR together too). No appeals column."""
    name = row["AuthorityName"].strip()
    foisa = count(_col(row, "FOISA requests"), "FOISA requests")
    if foisa is None:
        raise _Unreadable(ERR_NO_REQUESTS)
    eir = count(_col(row, "EIR requests"), "EIR requests")
    requests = foisa + (eir or 0)
    foisa_on_time = count(_col(row, "FOISA response on time"), "FOISA response on time")
    eir_on_time = count(_col(row, "EIRs response on time"), "EIRs response on time")
    # In time only when every kind that had requests says how many were on time.
    in_time = None
    if foisa_on_time is not None and (not eir or eir_on_time is not None):
        in_time = foisa_on_time + (eir_on_time or 0)
    reviews = _plus(
        count(_col(row, "FOISA reviews"), "FOISA reviews"),
        count(_col(row, "EIRs reviews"), "EIRs reviews"),
    )
    return _checked(
        PeerRow(
            source=Source.SCOTLAND,
            body=name,
            body_type=scottish_body_type(name, row.get("Sector", "")),
            region=(row.get("Region") or "").strip(),
            classified_from="the set's Sector and Region columns (OSIC)",
            year=year,
            quarter=0,
            year_basis="financial (April to March)",
            requests=requests,
            in_time=in_time,
            in_time_base=requests,
            internal_reviews=reviews,
            appeals=None,
        )
    )


# --- uk-central-government-foi-stats ----------------------------------------------------------

_QUARTER = re.compile(r"^Q([1-4]) (\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def central_period(value: str) -> tuple[int, int]:
    """ "Q3 2017" → (2017, 3); "2017" → (2017, 0)."""
    text = value.strip()
    if match := _QUARTER.match(text):
        return int(match[2]), int(match[1])
    if match := _YEAR.match(text):
        return int(match[1]), 0
    raise _Unreadable(ERR_BAD_PERIOD.format(value=value))


def map_central(row: Mapping[str, str]) -> PeerRow:
    """The Cabinet Office's published figures. In time = 20-day deadline met + permitted
    extension, over requests received less those on hold or lapsed: the published "in time"
    percentage, recomputed (README: BEIS 2020, 699/849 = 82.33)."""
    name = row["Government body"].strip()
    year, quarter = central_period(row["Quarter"])
    requests = count(row.get("Total requests received"), "Total requests received")
    if requests is None:
        raise _Unreadable(ERR_NO_REQUESTS)
    base_column = "Total requests received (excluding on-hold and lapsed)"
    base = count(row.get(base_column), base_column)
    met = count(row.get("20-day deadline met"), "20-day deadline met")
    extended = count(
        row.get("Permitted extension to 20-day deadline"), "Permitted extension to 20-day deadline"
    )
    in_time = None if met is None else met + (extended or 0)
    return _checked(
        PeerRow(
            source=Source.CENTRAL,
            body=name,
            body_type=BodyType.CENTRAL_GOVERNMENT,
            region="United Kingdom",
            classified_from="the set (all are central government bodies)",
            year=year,
            quarter=quarter,
            year_basis="calendar",
            requests=requests,
            in_time=in_time,
            in_time_base=base,
            internal_reviews=count(row.get("Total Internal Reviews"), "Total Internal Reviews"),
            appeals=count(row.get("ICO Total Complaints"), "ICO Total Complaints"),
        )
    )


# --- Reading the sets ------------------------------------------------------------------------


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    # utf-8-sig: the OSIC and Cabinet Office files start with a byte-order mark.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def read_set(
    root: Path, source: str, classification: Mapping[str, tuple[str, str]] | None = None
) -> Iterator[PeerRow | Refused]:
    """Every row of one set under ``root`` (``shared/data/real``), mapped or refused."""
    if source == Source.LOCALGOV_2017:
        classes = load_classification() if classification is None else classification
        path = root / source / LOCALGOV_FILE
        for line, row in _rows(path):
            try:
                yield map_localgov(row, classes)
            except _Unreadable as error:
                yield Refused(source, f"{path.name}:{line}", row.get("council", ""), str(error))
    elif source == Source.SCOTLAND:
        for path in sorted((root / source).glob(SCOTLAND_GLOB)):
            year = int(path.stem.rpartition("_")[2])
            for line, row in _rows(path):
                try:
                    yield map_scotland(row, year)
                except _Unreadable as error:
                    name = row.get("AuthorityName", "")
                    yield Refused(source, f"{path.name}:{line}", name, str(error))
    elif source == Source.CENTRAL:
        path = root / source / CENTRAL_FILE
        for line, row in _rows(path):
            try:
                yield map_central(row)
            except _Unreadable as error:
                name = row.get("Government body", "")
                yield Refused(source, f"{path.name}:{line}", name, str(error))
    else:
        raise ValueError(f"unknown source {source!r}")
