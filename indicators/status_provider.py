"""The indicators app's side of ``hackperf.indicator_status``: targets, RAG and commentary for
pages of apps that may not import indicators (the IG Group report). Registered in
``IndicatorsConfig.ready``."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from hackperf.indicator_status import Assessment, Commentary
from indicators import rag
from indicators.choices import Status
from indicators.models import Indicator, PeriodValue, Target


class IndicatorStatusProvider:
    def assess(self, items: Sequence[tuple[str, date, Decimal | None]]) -> list[Assessment]:
        """Each value against the target in force on its period's first day (``Target``'s
        rule), with the indicator's polarity and tolerance. Two queries: the indicators, their
        targets."""
        codes = {code for code, _, _ in items}
        indicators = {
            i.code: i
            for i in Indicator.objects.filter(code__in=codes).prefetch_related(
                Prefetch("targets", queryset=Target.objects.order_by("-effective_from", "-pk"))
            )
        }
        out = []
        for code, start, value in items:
            indicator = indicators.get(code)
            if indicator is None:
                out.append(
                    Assessment(code, start, value, None, "", "not_assessed", "Not assessed", "none")
                )
                continue
            target = next((t for t in indicator.targets.all() if t.effective_from <= start), None)
            status = rag.rag(
                value,
                None if target is None else target.value,
                polarity=indicator.rag_polarity,
                tolerance=target.tolerance if target else rag.Tolerance.absolute(0),
            )
            out.append(
                Assessment(
                    code=code,
                    period_start=start,
                    value=value,
                    target=None if target is None else target.value,
                    target_text="" if target is None else indicator.format_value(target.value),
                    rag=status.value,
                    label=status.label,
                    colour=rag.RAG_COLOURS[status],
                    url=indicator.get_absolute_url(),
                )
            )
        return out

    def commentary(self, codes: Sequence[str], start: date, end: date) -> list[Commentary]:
        """Commentary written on the values of ``codes`` for the months in [start, end]. One
        query."""
        values = (
            PeriodValue.objects.filter(
                indicator__code__in=list(codes), period_start__range=(start, end)
            )
            .exclude(commentary="")
            .order_by("period_start", "indicator__display_order", "indicator__code", "pk")
            .values_list("indicator__code", "period_start", "commentary", "status")
        )
        return [
            Commentary(code, month, text, status == Status.APPROVED)
            for code, month, text, status in values
        ]
