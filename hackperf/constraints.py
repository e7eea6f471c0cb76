"""Builders of the named database rules every model declares (STYLE.md §3, "Rules go in the DB").

Each rule is named ``%(app_label)s_%(class)s_<rule>`` and carries the message a form shows when
it is broken. Spelled out at each of some forty constraints, that pattern took five lines to
say one rule and could drift (a name without its prefix, a rule without its message); here it
has one home, and a model's ``Meta`` reads as its list of rules.
"""

from collections.abc import Sequence

from django.db import models
from django.db.models import Q


def rule_name(rule: str) -> str:
    """The constraint name of ``rule``, unique per model once Django fills in the prefix."""
    return f"%(app_label)s_%(class)s_{rule}"


def unique_rule(
    rule: str, fields: Sequence[str], message: str, *, condition: Q | None = None
) -> models.UniqueConstraint:
    """At most one row per value of ``fields`` (among the rows ``condition`` selects, if any)."""
    return models.UniqueConstraint(
        fields=fields, condition=condition, name=rule_name(rule), violation_error_message=message
    )


def check_rule(rule: str, condition: Q, message: str) -> models.CheckConstraint:
    """Every row meets ``condition``."""
    return models.CheckConstraint(
        condition=condition, name=rule_name(rule), violation_error_message=message
    )
