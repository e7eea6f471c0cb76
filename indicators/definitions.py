"""The indicators the council reports, as plain data.

The computed ones (FR ICT 17–19, ICT SAT) are the monthly metrics of ``hackperf.registry``,
declared by the apps that own their data, with their definitions; the hand-entered ones,
which no app counts, are listed here. ``migrations/0002_definitions.py`` holds a frozen copy
of all of them as they stood when it was written;
``services.definitions.definitions_sync`` creates any that are missing (a flushed test
database, a new indicator added with its own migration). Texts follow DESIGN.md's metric dictionary.
"""

from typing import Final

from hackperf import registry

ENTERED: Final[tuple[dict[str, object], ...]] = (
    {
        "code": "DIG RES SAT",
        "slug": "dig-res-sat",
        "title": "Resident satisfaction with online services",
        "description": (
            "The percentage of residents rating the council's online services good or very "
            "good in the month's website feedback, as reported by the Digital team."
        ),
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Head of Digital Services",
        "source": "entered",
        "rag_rule": (
            "Green at or above the target; amber up to 5% of the target below it; "
            "red further below."
        ),
    },
    {
        "code": "ICT MODERN",
        "slug": "ict-modern",
        "title": "Adoption of modern mobile and collaboration tools",
        "description": (
            "The percentage of staff with an ICT account who used the council's modern "
            "mobile and collaboration tools (cloud e-mail, chat and video meetings, shared "
            "documents) in the month, from the licence and usage reports."
        ),
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Head of ICT Strategy",
        "source": "entered",
        "rag_rule": (
            "Green at or above the target; amber up to 10 percentage points below it; "
            "red further below."
        ),
    },
)


def definitions() -> list[dict[str, object]]:
    """Every indicator's definition: the registry's monthly metrics (by code), then the
    entered ones, in the order of the scorecard."""
    computed: list[dict[str, object]] = [
        {
            "code": metric.code,
            "slug": metric.slug,
            "title": metric.label,
            "description": metric.definition,
            "unit": metric.unit,
            "polarity": metric.polarity.value,
            "owner": metric.owner,
            "source": metric.source,
            "rag_rule": metric.rag_rule,
        }
        for metric in registry.monthly_metrics()
    ]
    return [*computed, *ENTERED]
