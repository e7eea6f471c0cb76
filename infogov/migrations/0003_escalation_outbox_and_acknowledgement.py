"""Escalations go through the outbox; a case is acknowledged once, for all its levels."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_acknowledgements(apps, schema_editor):
    """Each case's first acknowledgement of any of its levels becomes the case's."""
    Escalation = apps.get_model("infogov", "Escalation")
    Acknowledgement = apps.get_model("infogov", "EscalationAcknowledgement")
    seen = set()
    rows = (
        Escalation.objects.filter(acknowledged_at__isnull=False)
        .order_by("case_id", "acknowledged_at", "pk")
        .values_list("case_id", "acknowledged_by_id", "acknowledged_at")
    )
    for case_id, by_id, at in rows:
        if case_id not in seen:
            seen.add(case_id)
            Acknowledgement.objects.create(case_id=case_id, by_id=by_id, at=at)


class Migration(migrations.Migration):
    dependencies = [
        ("hackperf", "0007_outbox_message"),
        ("infogov", "0002_directorate_directors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("escalation", "sent_at", "escalated_at"),
        migrations.AlterField(
            model_name="escalation",
            name="escalated_at",
            field=models.DateTimeField(verbose_name="recorded at"),
        ),
        migrations.AlterModelOptions(
            name="escalation",
            options={
                "ordering": ["-escalated_at", "pk"],
                "verbose_name": "escalation",
                "verbose_name_plural": "escalations",
            },
        ),
        migrations.AddField(
            model_name="escalation",
            name="skipped_reason",
            field=models.CharField(
                blank=True,
                help_text="Blank: escalated. Otherwise why this lower level was not e-mailed.",
                max_length=300,
                verbose_name="skipped because",
            ),
        ),
        migrations.AddField(
            model_name="escalation",
            name="messages",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="hackperf.outboxmessage", verbose_name="e-mails"
            ),
        ),
        migrations.CreateModel(
            name="EscalationAcknowledgement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="acknowledged at")),
                (
                    "comment",
                    models.TextField(blank=True, max_length=2000, verbose_name="comment"),
                ),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="acknowledged by",
                    ),
                ),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="acknowledgement",
                        to="infogov.case",
                        verbose_name="case",
                    ),
                ),
            ],
            options={
                "verbose_name": "escalation acknowledgement",
                "verbose_name_plural": "escalation acknowledgements",
                "ordering": ["-at", "pk"],
            },
        ),
        migrations.RunPython(copy_acknowledgements, migrations.RunPython.noop),
        migrations.RemoveField(model_name="escalation", name="acknowledged_at"),
        migrations.RemoveField(model_name="escalation", name="acknowledged_by"),
    ]
