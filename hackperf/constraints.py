"""Builders of the named database rules every model declares (STYLE.md §3, "Rules go in the DB").

Each rule is named ``%(app_label)s_%(class)s_<rule>`` and carries the message a form shows when
it is broken. Spelled out at each of some forty constraints, that pattern took five lines to
say one rule and could drift (a name without its prefix, a rule without its message); here it
has one home, and a model's ``Meta`` reads as its list of rules.
"""

from collections.abc import Sequence

from django.db import models
from django.db.models import F, Q


def rule_name(rule: str) -> str:
    """The constraint name of ``rule``, unique per model once Django fills in the prefix."""
    return f"%(app_label)s_%(class)s_{rule}"


def unique_rule(
    rule: str,
    fields: Sequence[str],
    message: str,
    *,
    condition: Q | None = None,
    nulls_distinct: bool | None = None,
) -> models.UniqueConstraint:
    """At most one row per value of ``fields`` (among the rows ``condition`` selects, if any;
    with ``nulls_distinct=False``, NULL counts as one value, as PostgreSQL 15 allows)."""
    return models.UniqueConstraint(
        fields=fields,
        condition=condition,
        name=rule_name(rule),
        violation_error_message=message,
        nulls_distinct=nulls_distinct,
    )


def check_rule(rule: str, condition: Q, message: str) -> models.CheckConstraint:
    """Every row meets ``condition``."""
    return models.CheckConstraint(
        condition=condition, name=rule_name(rule), violation_error_message=message
    )


def not_before(
    rule: str, later: str, earlier: str, message: str, *, optional: bool = False
) -> models.CheckConstraint:
    """``later`` is on or after ``earlier`` (a response after the request, an interval's end
    after its start); ``optional``: or ``later`` is not set yet.

    The rule STYLE.md §3 gives first (``due_date >= received_date``), stated by several models;
    its optional form is easy to get wrong by leaving out the empty case.
    """
    condition = Q(**{f"{later}__gte": F(earlier)})
    if optional:
        condition = Q(**{f"{later}__isnull": True}) | condition
    return check_rule(rule, condition, message)


def in_range(
    rule: str,
    fields: str | Sequence[str],
    low: int,
    high: int,
    message: str,
    *,
    optional: bool = False,
) -> models.CheckConstraint:
    """Each of ``fields`` is from ``low`` to ``high``, both included (a rating of 1 to 5, a
    percentage); ``optional``: or the one field is not set.
    """
    names = [fields] if isinstance(fields, str) else list(fields)
    if optional and len(names) != 1:
        raise ValueError("optional ranges take one field")
    condition = Q(
        **{f"{name}__{op}": bound for name in names for op, bound in [("gte", low), ("lte", high)]}
    )
    if optional:
        condition = Q(**{f"{names[0]}__isnull": True}) | condition
    return check_rule(rule, condition, message)
