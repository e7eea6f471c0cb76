"""Models of the indicators app, one module per feature (re-exported here).

- ``indicators``: definitions, effective-dated targets, monthly values, revisions, API tokens;
- ``snapshots``: trend snapshots of the DMT metric set and the frozen review packs;
- ``actions``: the actions agreed at DMT reviews, carried forward until closed;
- ``risks``: the risk register of the Mayor's briefing, its history and frozen briefings.
"""

from indicators.models.actions import ReviewAction
from indicators.models.indicators import (
    VALUE_DIGITS,
    ApiToken,
    Indicator,
    PeriodValue,
    Target,
    ValueRevision,
)
from indicators.models.risks import BriefingPack, Risk, RiskRevision
from indicators.models.snapshots import ReviewPack, Snapshot

__all__ = [
    "VALUE_DIGITS",
    "ApiToken",
    "BriefingPack",
    "Indicator",
    "PeriodValue",
    "ReviewAction",
    "ReviewPack",
    "Risk",
    "RiskRevision",
    "Snapshot",
    "Target",
    "ValueRevision",
]
