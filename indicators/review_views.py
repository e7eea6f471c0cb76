"""The DMT review pages: the fortnight's figures and trends, the drill-down to the tickets or
cases behind a figure, and the frozen review packs."""

from collections.abc import Callable
from datetime import datetime
from functools import cache, partial
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, FormView, TemplateView

from hackperf import registry
from hackperf.dates import check_in_range
from hackperf.metrics import ALL
from hackperf.roles import Perm
from hackperf.views import PermissionRequired, signed_in
from indicators import (
    charts,
    review,
    review_actions,
    review_cache,
    review_fortnights,
    review_headline,
    selectors,
)
from indicators.choices import Granularity
from indicators.forms import ReviewActionForm, ReviewPackForm
from indicators.models import ReviewPack, Snapshot
from indicators.periods import ending_day
from indicators.records import RecordsCsvMixin, records_page
from indicators.services.review_packs import review_pack_freeze
from indicators.services.snapshots import snapshot_span

DRILL_BREAKDOWNS = (ALL, "queue", "kind", "category", "directorate")
HEADLINE_TEMPLATE = "indicators/includes/_review_headline.html"
BODY_TEMPLATE = "indicators/includes/_review_body.html"


def drill_url(
    metric: str,
    instant: datetime,
    *,
    granularity: str = Granularity.FORTNIGHTLY,
    breakdown: str = ALL,
    key: str = "",
) -> str:
    query = {"metric": metric, "instant": instant.isoformat(), "granularity": granularity}
    if breakdown != ALL:
        query |= {"breakdown": breakdown, "key": key}
    return f"{reverse('indicators:review_drilldown')}?{urlencode(query)}"


def review_context(figures: dict) -> dict[str, object]:
    """What ``indicators/includes/_review_body.html`` draws, from review figures (live or a
    pack's): tables with drill-down links, one trend chart per group, the breakdowns."""
    built = review.build(figures)
    end = built.fortnight_end

    def rows(group: review.Group) -> list[dict[str, object]]:
        return [{"row": row, "url": drill_url(row.drill_metric, end)} for row in group.rows]

    def chart(group: review.Group, prefix: str) -> charts.ChartData | None:
        counts = [row for row in group.rows if row.unit == "count"]
        percents = [row for row in group.rows if row.unit == "percent"]
        shown = percents or counts
        if not shown:
            return None
        unit = "Percentage" if percents else "Count"
        return charts.trend_chart(
            id=f"{prefix}-{group.slug}",
            title=group.title,
            instants=built.instants,
            series=[(row.label, row.series) for row in shown],
            unit_label=unit,
            format_value=shown[0].show,
        )

    breakdowns = []
    for name, title in (("queue", "By queue"), ("kind", "By kind"), ("category", "By category")):
        labels, table_rows = review.breakdown_table(built.breakdowns, breakdown=name)
        if not table_rows:
            continue
        codes = [m.code for m in review.review_metrics() if m.label in labels]
        breakdowns.append(
            {
                "slug": name,
                "title": title,
                "labels": labels,
                "rows": [
                    {
                        "label": label,
                        "cells": [
                            {
                                "value": value,
                                "url": drill_url(code, end, breakdown=name, key=key)
                                if value
                                else "",
                            }
                            for code, value in zip(codes, values, strict=True)
                        ],
                    }
                    for key, label, values in table_rows
                ],
            }
        )
    return {
        "review": built,
        "fortnight_ending": ending_day(end),
        "previous_ending": ending_day(built.previous_end) if built.previous_end else None,
        "sections": [
            {"group": g, "rows": rows(g), "chart": chart(g, "trend")} for g in built.sections
        ],
        "priority_areas": [
            {"group": g, "rows": rows(g), "chart": chart(g, "priority")}
            for g in built.priority_areas
        ],
        "breakdowns": breakdowns,
    }


class ReviewView(PermissionRequired, TemplateView):
    """The DMT's fortnightly review of any fortnight (the latest by default): the first
    screen of headline figures, then each group against the previous fortnight and the last
    13, priority areas, breakdowns, drill-downs; the open actions; and the frozen packs.

    A fortnight without a snapshot says so and offers to compute it from the history
    (``ReviewComputeView``). The figures and their drawing are cached per snapshot version
    and viewer scope (``review_cache``). Fixed queries whatever the number of snapshots: the
    snapshot versions, ``selectors.review_figures``' three when the cache has not the
    fortnight, the packs, the open actions, this fortnight's pack.
    """

    perm = Perm.VIEW_REVIEW
    template_name = "indicators/review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        versions = selectors.review_snapshot_versions()
        taken = {instant: version.first_taken for instant, version in versions.items()}
        instant, error = None, ""
        if self.request.GET.get("fortnight"):
            try:
                instant = review_fortnights.instant_of(self.request.GET["fortnight"], now=now)
            except review_fortnights.FortnightError as problem:
                error = str(problem)  # shown by the picker; the latest fortnight is shown
        if instant is None and taken:
            instant = max(taken)
        packs = list(ReviewPack.objects.only("pk", "fortnight_end")[: selectors.REVIEW_FORTNIGHTS])
        context["packs"] = [
            {"pack": pack, "ending": ending_day(pack.fortnight_end)} for pack in packs
        ]
        context["open_actions"] = review_actions.open_actions()
        context["today"] = timezone.localdate(now)  # open actions due before it are overdue
        context["picker"] = {
            "options": review_fortnights.options(taken, now=now),
            "selected": ending_day(instant).isoformat() if instant else "",
            "error": error,
        }
        if instant is None:
            return context
        previous, following = review_fortnights.neighbours(instant, now=now)
        context["picker"] |= {"previous": previous, "following": following}
        if instant not in taken:
            context["uncomputed"] = {
                "ending": ending_day(instant),
                "instant": instant,
                "missing": review_fortnights.missing(
                    instant, taken, count=selectors.REVIEW_FORTNIGHTS
                ),
            }
            return context
        shown = [end for end in versions if end <= instant][-selectors.REVIEW_FORTNIGHTS :]
        cache_key = review_cache.key(
            fortnights=[(end, versions[end]) for end in shown],
            scope=review_cache.viewer_scope(self.request.user),
        )
        data = review_cache.cached(cache_key, lambda: review_page(instant))
        if data is None:  # pragma: no cover - the instant has a snapshot
            return context
        context.update(data)
        context.update(lazy_review_context(data["figures"]))  # type: ignore[arg-type]
        context["backfilled_at"] = (
            taken[instant] if review_fortnights.was_backfilled(instant, taken) else None
        )
        context["frozen"] = (
            ReviewPack.objects.filter(fortnight_end=instant).only("pk", "fortnight_end").first()
        )
        context["freeze_url"] = (
            f"{reverse('indicators:review_pack_create')}?{urlencode({'end': instant.isoformat()})}"
        )
        return context


def review_page(end: datetime) -> dict[str, object] | None:
    """The review of the fortnight ending at ``end`` as the live page shows it, ready to be
    cached (``review_cache``): its figures, its dates, and its first screen and body drawn
    (``headline_html``, ``body_html``). None when there is no snapshot up to ``end``."""
    figures = selectors.review_figures(end=end)
    if figures is None:
        return None
    data = review_context(figures)
    data["headline"] = headline_context(cast(review.Review, data["review"]))
    return {
        "figures": figures,
        "fortnight_ending": data["fortnight_ending"],
        "previous_ending": data["previous_ending"],
        "headline_html": render_to_string(HEADLINE_TEMPLATE, data),
        "body_html": render_to_string(BODY_TEMPLATE, data),
    }


LAZY_KEYS = ("review", "sections", "priority_areas", "breakdowns", "headline")


def lazy_review_context(figures: dict) -> dict[str, object]:
    """``review_context``'s objects and the headline rows, built from ``figures`` only when
    one is read: the page draws the cached HTML and reads none of them."""

    @cache
    def built() -> dict[str, object]:
        data = review_context(figures)
        data["headline"] = headline_context(data["review"])  # type: ignore[arg-type]
        return data

    return {name: SimpleLazyObject(partial(_item, built, name)) for name in LAZY_KEYS}


def _item(built: Callable[[], dict[str, object]], name: str) -> object:
    return built()[name]


def headline_context(built: review.Review) -> list[dict[str, object]]:
    """The first screen's rows (``review_headline``) with each one's drill-down link and its
    13-fortnight sparkline."""
    days = [ending_day(instant) for instant in built.instants]
    rows = []
    for item in review_headline.headline(built, thresholds=settings.REVIEW_THRESHOLDS):
        rows.append(
            {
                "item": item,
                "url": drill_url(item.row.drill_metric, built.fortnight_end),
                "sparkline": charts.sparkline_svg(
                    list(zip(days, item.row.series, strict=True)),
                    label=f"{item.label}, last {len(days)} fortnights",
                    format_value=item.row.show,
                ),
            }
        )
    return rows


class ReviewDrilldownView(RecordsCsvMixin, PermissionRequired, TemplateView):
    """The tickets or cases behind one figure of a snapshot, as of its instant (from the
    history, so they match what the snapshot counted). No requester's personal data: a SAR
    shows neither its requester nor its subject (``records_page``)."""

    perm = Perm.VIEW_REVIEW
    template_name = "indicators/review_drilldown.html"

    def csv_filename(self, context) -> str:
        name = context["metric"].code.replace(".", "-").replace("_", "-")
        return f"{name}-{context['ending']:%Y-%m-%d}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        metric = review.by_code().get(get.get("metric", ""))
        granularity = get.get("granularity", Granularity.FORTNIGHTLY)
        breakdown = get.get("breakdown", ALL)
        key = get.get("key", "") if breakdown != ALL else ""
        try:
            instant = datetime.fromisoformat(get.get("instant", ""))
            check_in_range(instant.date())
        except ValueError:
            instant = None
        if (
            metric is None
            or instant is None
            or timezone.is_naive(instant)
            or granularity not in Granularity.values
            or breakdown not in DRILL_BREAKDOWNS
        ):
            raise Http404("No such figure.")
        declared = registry.find(metric.code)
        if declared is None or declared.behind is None or breakdown not in declared.breakdowns:
            raise Http404("No records behind this figure.")
        if not self.request.user.has_perm(f"hackperf.{declared.permission}"):
            raise PermissionDenied
        # An as-of metric reads the span's end (its window); a period one the whole span.
        span = snapshot_span(as_of=instant, granularity=granularity)
        start = span.start if metric.kind == review.PERIOD else None
        try:
            behind = declared.behind(
                **declared.arguments(span),
                user=self.request.user,
                breakdown=breakdown,
                key=key,
                sort=get.get("sort", ""),
            )
        except ValueError as error:  # a key that is no queue, kind or category of its kind
            raise Http404("No such figure.") from error
        snapshot = Snapshot.objects.filter(
            instant=instant,
            granularity=granularity,
            metric=metric.code,
            breakdown=breakdown,
            key=key,
        ).first()
        context.update(
            metric=metric,
            instant=instant,
            ending=ending_day(instant),
            start=start,
            breakdown=breakdown,
            key=key,
            snapshot=snapshot,
            **records_page(behind, request=self.request),
        )
        return context


class ReviewPackCreateView(PermissionRequired, FormView):
    """Freeze the review of a fortnight as a pack, with commentary and the actions agreed."""

    perm = Perm.VIEW_REVIEW  # held by the DMT alone, whose review it is
    form_class = ReviewPackForm
    template_name = "indicators/reviewpack_form.html"

    def get_initial(self):
        return {"fortnight_end": self.request.GET.get("end", "")}

    def form_valid(self, form):
        try:
            pack = review_pack_freeze(by=signed_in(self.request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{pack} frozen: later data changes will not alter it.")
        return redirect(pack)


class ReviewPackDetailView(PermissionRequired, DetailView):
    """A frozen review pack: the figures as they were frozen, commentary, the actions agreed
    at its review and those carried in open from earlier ones; printable on A4 landscape."""

    perm = Perm.VIEW_REVIEW
    model = ReviewPack
    queryset = ReviewPack.objects.select_related("frozen_by")
    context_object_name = "pack"
    template_name = "indicators/reviewpack_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(review_context(self.object.figures))
        context["headline"] = headline_context(context["review"])
        context["agreed"], context["carried"] = review_actions.pack_actions(self.object)
        context["action_form"] = ReviewActionForm()
        return context
