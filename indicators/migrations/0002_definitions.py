"""Create the indicator definitions.

A frozen copy of ``indicators.definitions.DEFINITIONS`` as it stood when this migration was
written: migrations must not change meaning when the code moves on. ``services.definitions_sync``
does the same with the live list (and tests call ``create_definitions`` directly, since a
flushed test database has lost what migrations made).
"""

from django.db import migrations

DEFINITIONS = [
    {
        "code": "FR ICT 17",
        "slug": "fr-ict-17",
        "title": "Incidents resolved within 8 working hours",
        "description": "Of incidents whose last resolution event falls in the month, the percentage with "
        "a business resolution time of 8 hours or less. Business resolution time is the "
        "business seconds on the ticket's calendar from logged to its last resolution "
        "event, less business seconds paused (on hold). A resolution event is a change "
        "from an open or paused status to resolved or closed.",
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Head of ICT Service Delivery",
        "source": "servicedesk",
        "rag_rule": "Green at or above the target; amber up to 5 percentage points below it; red further "
        "below.",
    },
    {
        "code": "FR ICT 17a",
        "slug": "fr-ict-17a",
        "title": "Incidents logged",
        "description": "The number of incidents logged on the service desk in the month.",
        "unit": "count",
        "polarity": "lower_is_better",
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
        "polarity": "lower_is_better",
        "owner": "Head of ICT Service Delivery",
        "source": "servicedesk",
        "rag_rule": "Not RAG rated: a volume measure, shown for context, with no target.",
    },
    {
        "code": "FR ICT 18a",
        "slug": "fr-ict-18a",
        "title": "FOI requests answered within the statutory time limit",
        "description": "Of Freedom of Information (and, where configured, Environmental Information) "
        "requests responded to in the month, the percentage responded to on or before the "
        "statutory due date (FOIA s.10: the 20th working day following receipt) without a "
        "public-interest extension. The share answered 'in time', counting permitted "
        "extensions, is shown beside it.",
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": "Green at or above the target; amber up to 5 percentage points below it; red further "
        "below.",
    },
    {
        "code": "FR ICT 18b",
        "slug": "fr-ict-18b",
        "title": "FOI requests received",
        "description": "The number of FOI requests received in the month.",
        "unit": "count",
        "polarity": "lower_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": "Not RAG rated: a volume measure, shown for context, with no target.",
    },
    {
        "code": "FR ICT 18c",
        "slug": "fr-ict-18c",
        "title": "FOI requests outstanding at the month's end",
        "description": "The number of FOI requests not responded to, withdrawn or closed at the end of "
        "the month, with how many of those are overdue.",
        "unit": "count",
        "polarity": "lower_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": "Green at or below the target; amber up to 10 requests above it; red further above.",
    },
    {
        "code": "FR ICT 19a",
        "slug": "fr-ict-19a",
        "title": "Subject access requests answered within the statutory time limit",
        "description": "Of subject access requests responded to in the month, the percentage responded "
        "to on or before the statutory due date of their regime (UK GDPR Art 12(3): one "
        "month, or three when extended; DPA 1998: 40 days).",
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": "Green at or above the target; amber up to 5 percentage points below it; red further "
        "below.",
    },
    {
        "code": "FR ICT 19b",
        "slug": "fr-ict-19b",
        "title": "Subject access requests received",
        "description": "The number of subject access requests received in the month.",
        "unit": "count",
        "polarity": "lower_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": "Not RAG rated: a volume measure, shown for context, with no target.",
    },
    {
        "code": "FR ICT 19c",
        "slug": "fr-ict-19c",
        "title": "Subject access requests outstanding at the month's end",
        "description": "The number of subject access requests not responded to, withdrawn or closed at "
        "the end of the month.",
        "unit": "count",
        "polarity": "lower_is_better",
        "owner": "Information Governance Manager",
        "source": "infogov",
        "rag_rule": "Green at or below the target; amber up to 5 requests above it; red further above.",
    },
    {
        "code": "ICT SAT",
        "slug": "ict-sat",
        "title": "User satisfaction with ICT",
        "description": "Of the staff who answered the monthly satisfaction survey (sent to 10% of the "
        "people whose tickets closed the month before), the percentage satisfied or very "
        "satisfied with the service they received.",
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Director of ICT",
        "source": "surveys",
        "rag_rule": "Green at or above the target; amber up to 5% of the target below it; red further "
        "below.",
    },
    {
        "code": "DIG RES SAT",
        "slug": "dig-res-sat",
        "title": "Resident satisfaction with online services",
        "description": "The percentage of residents rating the council's online services good or very "
        "good in the month's website feedback, as reported by the Digital team.",
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Head of Digital Services",
        "source": "entered",
        "rag_rule": "Green at or above the target; amber up to 5% of the target below it; red further "
        "below.",
    },
    {
        "code": "ICT MODERN",
        "slug": "ict-modern",
        "title": "Adoption of modern mobile and collaboration tools",
        "description": "The percentage of staff with an ICT account who used the council's modern mobile "
        "and collaboration tools (cloud e-mail, chat and video meetings, shared "
        "documents) in the month, from the licence and usage reports.",
        "unit": "percent",
        "polarity": "higher_is_better",
        "owner": "Head of ICT Strategy",
        "source": "entered",
        "rag_rule": "Green at or above the target; amber up to 10 percentage points below it; red "
        "further below.",
    },
]


def create_definitions(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for position, definition in enumerate(DEFINITIONS, start=1):
        fields = dict(definition)
        Indicator.objects.get_or_create(
            code=fields.pop("code"),
            defaults={
                **fields,
                "frequency": "monthly",
                "is_computed": fields["source"] != "entered",
                "display_order": position * 10,
            },
        )


def remove_definitions(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code__in=[d["code"] for d in DEFINITIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(create_definitions, remove_definitions)]
