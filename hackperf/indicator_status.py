"""Targets, RAG and commentary of indicators, for the pages of apps that may not import
``indicators`` (the IG Group's quarterly report in ``infogov``).

``indicators`` owns targets, RAG rules and commentary; ``infogov`` and ``servicedesk`` never
import it (DESIGN.md, "Dependencies point one way"). So ``indicators`` registers a provider
here, in its ``AppConfig.ready``, and the others ask through :func:`assess` and
:func:`commentary` with plain values. Without a provider (indicators not installed) a figure
is "not assessed" and has no commentary, rather than an error.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

__all__ = ["Assessment", "Commentary", "Provider", "assess", "commentary", "register"]


@dataclass(frozen=True)
class Assessment:
    """One value of indicator ``code`` for the period starting ``period_start``, against the
    target in force then."""

    code: str
    period_start: date
    value: Decimal | None
    target: Decimal | None
    target_text: str  # as people read it: "90.0%"; "" when there is no target
    rag: str  # indicators.rag.Rag's value: green, amber, red, not_assessed, no_target
    label: str  # the RAG in words, always shown beside its colour
    colour: str  # CSS suffix: hp-rag--green, --amber, --red, --none
    url: str = ""  # the indicator's page, "" when unknown


@dataclass(frozen=True)
class Commentary:
    """The commentary written on one monthly value of indicator ``code``."""

    code: str
    month: date  # the first day of the month
    text: str
    approved: bool


class Provider(Protocol):
    def assess(self, items: Sequence[tuple[str, date, Decimal | None]]) -> list[Assessment]:
        """An assessment for each (code, period start, value), in order; a fixed number of
        queries."""
        ...

    def commentary(self, codes: Sequence[str], start: date, end: date) -> list[Commentary]:
        """The commentary of ``codes``' months from ``start`` to ``end``, oldest first; one
        query."""
        ...


_provider: Provider | None = None


def register(provider: Provider) -> None:
    """Called once, by ``indicators.apps.IndicatorsConfig.ready``."""
    global _provider
    _provider = provider


def assess(items: Sequence[tuple[str, date, Decimal | None]]) -> list[Assessment]:
    """Each (indicator code, period start, value) against its target, in order."""
    if _provider is None:
        return [
            Assessment(code, start, value, None, "", "not_assessed", "Not assessed", "none")
            for code, start, value in items
        ]
    return _provider.assess(items)


def commentary(codes: Sequence[str], start: date, end: date) -> list[Commentary]:
    """The commentary written on ``codes``' monthly values from ``start`` to ``end``."""
    if _provider is None or not codes:
        return []
    return _provider.commentary(codes, start, end)
