"""Who is surveyed for a month: a pure calculator (no ORM, no clock, no settings).

From the distinct people whose tickets closed in the month, after the exclusions (surveyed
in the last 90 days, opted out), exactly ``ceil(rate × N)`` are chosen, stratified by queue:
each queue's share is apportioned by the largest-remainder (Hamilton) method, so it is
within one person of its exact proportional share and the shares add up to the total.
Within a queue people are taken in the order of a keyed hash (HMAC-SHA256 of the month and
the e-mail), never ``random()``: the same month, people and key always give the same sample,
and nobody can predict or steer who is picked without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from math import floor

RATE_OUT_OF_RANGE = "The sampling rate must be more than 0 and at most 1, not {rate}"


@dataclass(frozen=True)
class Candidate:
    """A person (by normalised e-mail) with the queue and ticket they are asked about."""

    email: str
    queue_id: int
    ticket_id: int


def normalise_email(email: str) -> str:
    """One person, one address: surrounding blanks removed, lower-cased."""
    return email.strip().lower()


def parse_rate(rate: str | int | float | Fraction) -> Fraction:
    """The rate as an exact fraction ("0.1" → 1/10), refusing anything outside (0, 1].

    Exact because ``ceil(0.07 * 100)`` in floating point is 8 (0.07 × 100 = 7.000000000000001).
    """
    value = Fraction(str(rate)) if isinstance(rate, float) else Fraction(rate)
    if not 0 < value <= 1:
        raise ValueError(RATE_OUT_OF_RANGE.format(rate=rate))
    return value


def sample_size(n: int, rate: Fraction) -> int:
    """``ceil(rate × n)``, exactly: 1 of 1, 1 of 10, 2 of 11 at 10%."""
    product = rate * n
    return -(-product.numerator // product.denominator)


def keyed_rank(key: bytes, month: date, email: str) -> str:
    """The order in which a person is drawn for a month: HMAC-SHA256(key, "YYYY-MM:email")."""
    message = f"{month:%Y-%m}:{email}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def apportion(
    counts: Mapping[int, int], total: int, *, tie_break: Callable[[int], str]
) -> dict[int, int]:
    """Share ``total`` among strata of ``counts`` people in proportion (largest remainder).

    Each stratum gets the floor of its exact quota ``total × count / N``; the seats left go
    to the largest remainders, ties to the larger stratum, then by ``tie_break(stratum)`` (a
    keyed hash, so no queue is favoured month after month). Each share is therefore within
    one of its quota, never more than the stratum's size, and the shares sum to ``total``.
    """
    n = sum(counts.values())
    if total > n:
        raise ValueError(f"Cannot choose {total} of {n}")
    if n == 0:
        return {}
    quotas = {stratum: Fraction(total * count, n) for stratum, count in counts.items()}
    shares = {stratum: floor(quota) for stratum, quota in quotas.items()}
    left = total - sum(shares.values())
    by_remainder = sorted(
        counts,
        key=lambda s: (-(quotas[s] - shares[s]), -counts[s], tie_break(s)),
    )
    for stratum in by_remainder[:left]:
        shares[stratum] += 1
    return shares


@dataclass(frozen=True)
class Sample:
    """The chosen people and how the total was shared among queues."""

    eligible: int
    size: int
    shares: dict[int, int]
    chosen: list[Candidate]


def choose(candidates: Sequence[Candidate], *, rate: Fraction, month: date, key: bytes) -> Sample:
    """The month's sample from ``candidates`` (already one per person, exclusions applied)."""
    strata: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        strata[candidate.queue_id].append(candidate)
    n = len(candidates)
    size = sample_size(n, rate) if n else 0
    shares = apportion(
        {queue: len(people) for queue, people in strata.items()},
        size,
        tie_break=lambda queue: keyed_rank(key, month, f"queue:{queue}"),
    )
    chosen: list[Candidate] = []
    for queue in sorted(strata):
        people = sorted(strata[queue], key=lambda c: keyed_rank(key, month, c.email))
        chosen.extend(people[: shares[queue]])
    return Sample(eligible=n, size=size, shares=shares, chosen=chosen)
