"""The indicators the council reports, as plain data.

``migrations/0002_definitions.py`` holds a frozen copy of this list as it stood when it was
written; ``services.definitions_sync`` creates any that are missing from this one (a flushed
test database, a new indicator added here and in a new migration). Texts follow DESIGN.md's
metric dictionary.
"""

from typing import Final

DEFINITIONS: Final[tuple[dict[str, object], ...]] = (
    {
        "code": "FR ICT 17",
        "slug": "fr-ict-17",
        "title": "Incidents resolved within 8 working hours",
        "description": (
            "Of incidents whose last resolution event falls in the month, the percentage with "
            "a business resolution time of 8 hours or less. Business resolution time is the "
            "business seconds on the ticket's calendar from logged to its last resolution "
            "event, less business seconds paused (on hold). A resolution event is a change "
            "from an open or paused status to resolved or closed."
        ),
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Head of ICT Service Delivery",
        "source": "servicedesk",
        "rag_rule": (
            "Green at or above the target; amber up to 5 percentage points below it; "
            "red further below."
        ),
    },
    {
        "code": "FR ICT 17a",
        "slug": "fr-ict-17a",
        "title": "Incidents logged",
        "description": "The number of incidents logged on the service desk in the month.",
        "unit": "count",
        "polarity": "none",
        "owner": "Head of ICT Service Delivery",
        "source": "servicedesk",
        "rag_rule": "Not RAG rated: a volume measure, shown for context, with no target.",
    },
    {
        "code": "FR ICT 17b",
        "slug": "fr-ict-17b",
        "title": "Service requests logged",
        "description": "The number of service requests logged on the service desk in the month.",
        "unit": "count",
        "polarity": "none",
        "owner": "Head of ICT Service Delivery",
        "source": "servicedesk",
        "rag_rule": "Not RAG rated: a volume measure, shown for context, with no target.",
    },
    {
        "code": "FR ICT 18a",
        "slug": "fr-ict-18a",
        "title": "FOI requests answered within the statutory time limit",
        "description": (
            "Of Freedom of Information (and, where configured, Environmental Information) "
            "requests responded to in the month, the percentage responded to on or before the "
            "statutory due date (FOIA s.10: the 20th working day following receipt) without a "
            "public-interest extension. The share answered 'in time', counting permitted "
            "extensions, is shown beside it."
        ),
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": (
            "Green at or above the target; amber up to 5 percentage points below it; "
            "red further below."
        ),
    },
    {
        "code": "FR ICT 18b",
        "slug": "fr-ict-18b",
        "title": "FOI requests received",
        "description": "The number of FOI requests received in the month.",
        "unit": "count",
        "polarity": "none",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": "Not RAG rated: a volume measure, shown for context, with no target.",
    },
    {
        "code": "FR ICT 18c",
        "slug": "fr-ict-18c",
        "title": "FOI requests outstanding at the month's end",
        "description": (
            "The number of FOI requests not responded to, withdrawn or closed at the end of "
            "the month, with how many of those are overdue."
        ),
        "unit": "count",
        "polarity": "lower_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": (
            "Green at or below the target; amber up to 10 requests above it; red further above."
        ),
    },
    {
        "code": "FR ICT 19a",
        "slug": "fr-ict-19a",
        "title": "Subject access requests answered within the statutory time limit",
        "description": (
            "Of subject access requests responded to in the month, the percentage responded "
            "to on or before the statutory due date of their regime (UK GDPR Art 12(3): one "
            "month, or three when extended; DPA 1998: 40 days)."
        ),
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": (
            "Green at or above the target; amber up to 5 percentage points below it; "
            "red further below."
        ),
    },
    {
        "code": "FR ICT 19b",
        "slug": "fr-ict-19b",
        "title": "Subject access requests received",
        "description": "The number of subject access requests received in the month.",
        "unit": "count",
        "polarity": "none",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": "Not RAG rated: a volume measure, shown for context, with no target.",
    },
    {
        "code": "FR ICT 19c",
        "slug": "fr-ict-19c",
        "title": "Subject access requests outstanding at the month's end",
        "description": (
            "The number of subject access requests not responded to, withdrawn or closed at "
            "the end of the month."
        ),
        "unit": "count",
        "polarity": "lower_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": (
            "Green at or below the target; amber up to 5 requests above it; red further above."
        ),
    },
    {
        "code": "ICT SAT",
        "slug": "ict-sat",
        "title": "User satisfaction with ICT",
        "description": (
            "Of the staff who answered the monthly satisfaction survey (sent to 10% of the "
            "people whose tickets closed the month before), the percentage satisfied or very "
            "satisfied with the service they received."
        ),
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Director of ICT",
        "source": "surveys",
        "rag_rule": (
            "Green at or above the target; amber up to 5% of the target below it; "
            "red further below."
        ),
    },
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
