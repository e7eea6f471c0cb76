"""The site's sections: the main navigation and the home page are both built from this list."""

from dataclasses import dataclass
from typing import Protocol

from hackperf.roles import Perm, perm_name


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    perm: Perm
    description: str


SECTIONS: tuple[Section, ...] = (
    Section(
        "Review",
        "indicators:review",
        Perm.VIEW_REVIEW,
        "The DMT's fortnightly review: open incidents and requests, items over a week old, "
        "closures, reopens, reassignments and escalations against the last 13 fortnights.",
    ),
    Section(
        "Queues",
        "servicedesk:queue_list",
        Perm.VIEW_QUEUES,
        "Every service-desk queue, live: what is breaching or about to breach its SLA, and "
        "what is stuck.",
    ),
    Section(
        "Indicators",
        "indicators:scorecard",
        Perm.VIEW_INDICATORS,
        "FR ICT 17 to 19 and the other indicators: latest value, target, RAG status and "
        "direction of travel, with commentary.",
    ),
    Section(
        "Information governance",
        "infogov:case_list",
        Perm.VIEW_INFOGOV,
        "FOI, EIR and subject-access cases with their statutory due dates, what is due this "
        "week and what is overdue.",
    ),
    Section(
        "Briefing",
        "indicators:briefing",
        Perm.VIEW_BRIEFING,
        "The Mayor's briefing, laid out for A4: strategic indicators, the FOI and SAR summary "
        "and the risk register.",
    ),
)


class _User(Protocol):
    """What a signed-in user and the anonymous one both have (django.contrib.auth)."""

    @property
    def is_authenticated(self) -> bool: ...

    def has_perm(self, perm: str, /) -> bool: ...


def sections_for(user: _User) -> list[Section]:
    """The sections this user may open, in navigation order."""
    if not user.is_authenticated:
        return []
    return [section for section in SECTIONS if user.has_perm(perm_name(section.perm))]
