"""The DMT review pages: the fortnight's figures and trends, the drill-down to the tickets or
cases behind a figure, and the frozen review packs."""

from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, TemplateView

from hackperf.dates import check_in_range
from hackperf.metrics import ALL
from hackperf.roles import Perm
from hackperf.views import PermissionRequired
from indicators import (
    charts,
    review,
    review_actions,
    review_fortnights,
    review_headline,
    selectors,
    services,
    sources,
)
from indicators.choices import Granularity
from indicators.forms import ReviewActionForm, ReviewPackForm
from indicators.models import ReviewPack, Snapshot
from indicators.periods import ending_day

DRILL_BREAKDOWNS = (ALL, "queue", "kind", "category", "directorate")
DRILL_PAGE_SIZE = 50


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
        codes = [m.code for m in review.METRICS if m.label in labels]
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
    (``ReviewComputeView``). Fixed queries whatever the number of snapshots: the snapshot
    instants, ``selectors.review_figures``' three, the packs, the open actions.
    """

    perm = Perm.VIEW_REVIEW
    template_name = "indicators/review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        taken = selectors.review_snapshot_instants()
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
        figures = selectors.review_figures(end=instant)
        if figures is None:  # pragma: no cover - the instant has a snapshot
            return context
        context.update(review_context(figures))
        context["headline"] = headline_context(context["review"])
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


class ReviewDrilldownView(PermissionRequired, TemplateView):
    """The tickets or cases behind one figure of a snapshot, as of its instant (from the
    history, so they match what the snapshot counted). No requester's personal data: a SAR
    shows neither its requester nor its subject (``records_page``)."""

    perm = Perm.VIEW_REVIEW
    template_name = "indicators/review_drilldown.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        metric = review.BY_CODE.get(get.get("metric", ""))
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
        source = sources.for_metric(metric.code)
        is_tickets = metric.code.startswith("servicedesk.")
        behind = source.tickets_behind if is_tickets else source.cases_behind
        span: dict[str, datetime] = {"as_of": instant}
        start = None
        if metric.kind == review.PERIOD:
            start, end = services.snapshot_window(as_of=instant, granularity=granularity)
            span = {"start": start, "end": end}
        items = behind(metric=metric.code, breakdown=breakdown, key=key, **span)
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
            **records_page(items, is_tickets=is_tickets, request=self.request),
        )
        return context


def _ticket_row(ticket) -> dict[str, object]:
    return {
        "reference": ticket.reference,
        "url": reverse("servicedesk:ticket_detail", kwargs={"reference": ticket.reference}),
        "cells": [
            ticket.get_kind_display(),
            ticket.summary,
            ticket.queue.name,
            ticket.get_status_display(),
            timezone.localtime(ticket.logged_at).strftime("%-d %b %Y %H:%M"),
        ],
    }


def _case_row(case, subject: str) -> dict[str, object]:
    return {
        "reference": case.reference,
        "url": case.get_absolute_url(),
        "cells": [
            case.get_kind_display(),
            subject,
            case.directorate.name,
            case.received.strftime("%-d %b %Y"),
            case.due.strftime("%-d %b %Y"),
            case.get_status_display(),
        ],
    }


TICKET_COLUMNS = ("Reference", "Kind", "Summary", "Queue", "Status now", "Logged")
CASE_COLUMNS = ("Reference", "Kind", "Subject", "Directorate", "Received", "Due", "Status now")


class ReviewPackCreateView(PermissionRequired, FormView):
    """Freeze the review of a fortnight as a pack, with commentary and the actions agreed."""

    perm = Perm.VIEW_REVIEW  # held by the DMT alone, whose review it is
    form_class = ReviewPackForm
    template_name = "indicators/reviewpack_form.html"

    def get_initial(self):
        return {"fortnight_end": self.request.GET.get("end", "")}

    def form_valid(self, form):
        try:
            pack = services.review_pack_freeze(by=self.request.user, **form.cleaned_data)
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


HIDDEN_TICKETS = "and {n} more in queues you cannot open"
HIDDEN_CASES = "and {n} more in directorates you cannot open"


def records_page(items, *, is_tickets: bool, request) -> dict[str, object]:
    """Context for ``includes/_records_table.html``: a page of the tickets or cases the viewer
    may open, as rows, with how many were counted and how many of those they cannot open.

    What a viewer may open is the source's own rule (``servicedesk.access.visible_tickets``,
    the ticket page's 403; ``Case.objects.visible_to``, the case page's 404), and a SAR's
    subject is shown as the source's redaction rule allows (``infogov.privacy``). Three
    queries: the count of all, the count of the visible, the page.
    """
    user = request.user
    source = sources.servicedesk() if is_tickets else sources.infogov()
    counted = items.count()
    visible = source.visible_to(user, items).select_related(
        "queue" if is_tickets else "directorate"
    )
    page = Paginator(visible, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    hidden = counted - page.paginator.count
    query = request.GET.copy()
    query.pop("page", None)
    if is_tickets:
        rows = [_ticket_row(item) for item in page]
    else:
        rows = [_case_row(item, source.shown_subject(item, user)) for item in page]
    return {
        "page_obj": page,
        "is_tickets": is_tickets,
        "columns": TICKET_COLUMNS if is_tickets else CASE_COLUMNS,
        "rows": rows,
        "page_query": query.urlencode(),
        "counted": counted,
        "hidden": hidden,
        "hidden_text": (HIDDEN_TICKETS if is_tickets else HIDDEN_CASES).format(n=hidden)
        if hidden
        else "",
    }
