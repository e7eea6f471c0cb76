"""The indicator definitions: the rows of ``indicators.definitions.definitions()``."""

from django.db import transaction

from indicators.choices import Source
from indicators.definitions import definitions
from indicators.models import Indicator


@transaction.atomic
def definitions_sync() -> list[Indicator]:
    """Create the indicators of ``definitions.definitions()`` that do not exist yet.

    Existing indicators are left as they are (an owner or wording changed in the admin
    stays changed). Idempotent; the data migration does the same with its frozen copy.
    """
    indicators = []
    for position, definition in enumerate(definitions(), start=1):
        fields = dict(definition)
        code = fields.pop("code")
        indicator, created = Indicator.objects.get_or_create(
            code=code,
            defaults={
                **fields,
                "is_computed": fields["source"] != Source.ENTERED,
                "display_order": position * 10,
            },
        )
        if created:
            indicator.full_clean()
        indicators.append(indicator)
    return indicators
