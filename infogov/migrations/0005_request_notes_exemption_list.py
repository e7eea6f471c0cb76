"""A case's request text and internal correspondence notes; exemptions chosen from a list.

The exemptions typed on FOI and EIR cases become codes of the list where a section or
regulation is recognised (``s.40(2)`` on an FOI case is s.40; ``reg 12(5)(e)`` on an EIR case
is 12(5)(e)); whatever is not recognised (``s.12``, words, another law's section) stays in the
text field, shown on the case as typed, so nothing recorded is lost. A SAR's text is left as
it is. The parser is a frozen copy of ``infogov.exemptions.parse`` as it stood, so later
changes to the list cannot change what this migration did.
"""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FOIA_CODES = {f"s{n}" for n in ("21", "22", "22A", "23", "24", *(str(i) for i in range(26, 45)))}
SEPARATORS = re.compile(r"\s*(?:[,;/&+]|\band\b)\s*", re.IGNORECASE)
FOIA = re.compile(
    r"(?:foia\s*)?(?:s|sec|section)\.?\s*(\d{2}A?)(?:\s*\(\w{1,4}\))*\.?", re.IGNORECASE
)
EIR = re.compile(
    r"(?:eir\s*)?(?:r|reg|regulation)?\.?\s*(12)\s*\((4|5)\)\s*\(([a-g])\)(?:\s*\(\w{1,4}\))*\.?"
    r"|(?:eir\s*)?(?:r|reg|regulation)\.?\s*(13)(?:\s*\(\w{1,4}\))*\.?",
    re.IGNORECASE,
)


def parse(text, kind):
    codes, leftover = [], []
    for token in SEPARATORS.split(text.strip()):
        token = token.strip()
        if not token:
            continue
        code = None
        if kind == "foi" and (match := FOIA.fullmatch(token)):
            code = "s" + match.group(1).upper()
            code = code if code in FOIA_CODES else None
        elif kind == "eir" and (match := EIR.fullmatch(token)):
            code = "r13" if match.group(4) else f"r12_{match.group(2)}_{match.group(3).lower()}"
        if code is None:
            leftover.append(token)
        elif code not in codes:
            codes.append(code)
    return codes, ", ".join(leftover)


def exemptions_to_codes(apps, schema_editor):
    Case = apps.get_model("infogov", "Case")
    changed = []
    for case in (
        Case.objects.filter(kind__in=("foi", "eir"))
        .exclude(exemptions="")
        .only("pk", "kind", "exemptions", "exemption_codes")
        .iterator(chunk_size=2000)
    ):
        codes, leftover = parse(case.exemptions, case.kind)
        if codes:
            case.exemption_codes, case.exemptions = codes, leftover
            changed.append(case)
    Case.objects.bulk_update(changed, ["exemption_codes", "exemptions"], batch_size=2000)


def codes_to_exemptions(apps, schema_editor):
    """Back to typed text: the references first, then what was kept as typed."""
    Case = apps.get_model("infogov", "Case")
    changed = []
    for case in (
        Case.objects.exclude(exemption_codes=[])
        .only("pk", "exemptions", "exemption_codes")
        .iterator(chunk_size=2000)
    ):
        refs = [
            f"s.{c[1:]}" if c.startswith("s") else "reg " + c[1:].replace("_", "(", 1)
            for c in case.exemption_codes
        ]
        refs = [r if "(" not in r else r.replace("_", ")(") + ")" for r in refs]
        case.exemptions = ", ".join([*refs, case.exemptions] if case.exemptions else refs)[:300]
        changed.append(case)
    Case.objects.bulk_update(changed, ["exemptions"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("infogov", "0004_peer_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="exemption_codes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Codes of infogov.exemptions.",
                verbose_name="exemptions cited",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="request_text",
            field=models.TextField(
                blank=True,
                help_text="The request as it was received.",
                max_length=20000,
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="exemptions",
            field=models.CharField(
                blank=True,
                help_text="A SAR's (DPA 2018), or text of an FOI/EIR case not matched to the list.",
                max_length=300,
                verbose_name="exemptions cited, as typed",
            ),
        ),
        migrations.CreateModel(
            name="CaseNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="written at")),
                ("text", models.TextField(max_length=5000, verbose_name="note")),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="written by",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="infogov.case",
                        verbose_name="case",
                    ),
                ),
            ],
            options={
                "verbose_name": "correspondence note",
                "verbose_name_plural": "correspondence notes",
                "ordering": ["at", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True),
                        name="infogov_casenote_text_not_blank",
                        violation_error_message="A note needs its text.",
                    )
                ],
            },
        ),
        migrations.RunPython(exemptions_to_codes, codes_to_exemptions),
    ]
