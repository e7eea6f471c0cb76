"""The read-only JSON API: indicators, their monthly values, the metrics and trend snapshots.

Hand-written rather than a framework's, because it is four lists; kept apart from the pages so
its rules are read in one place. Every query-string parameter is declared in a FilterSet
(django-filter), so a reporting tool that sends a bad one learns which and why from a JSON
400 instead of silently getting an empty list, the first page or a 404:

* a parameter a list does not take (``?metirc=``, a typo that would otherwise filter nothing);
* a malformed or out-of-range value (``from=2026-02-30``, ``page=x``, ``page=0``, a page past
  the last, ``page_size`` over ``API_MAX_PAGE_SIZE``, a granularity that is not one).

Authentication is the session or an ``Authorization: Bearer`` token (``ApiToken``); the
reader needs ``Perm.VIEW_INDICATORS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from hackperf import registry
from hackperf.dates import DateInputError, parse_instant
from hackperf.roles import Perm, perm_name
from indicators import choices, selectors
from indicators.models import Indicator, Snapshot

API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200

UNKNOWN_PARAMETER = "'{name}': this list takes no such parameter; it takes {known}."
BAD_PARAMETER = "'{name}': {reason}"
PAGE_PAST_THE_END = "page {page} is past the last page, {last}."


class ApiParameterError(Exception):
    """A query-string parameter the API refuses: answered as a JSON 400 naming it."""

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


# --- Authentication --------------------------------------------------------------------------


def _api_user(request: HttpRequest):
    """The signed-in user, or the user of a valid ``Authorization: Bearer`` token, or None."""
    if request.user.is_authenticated:
        return request.user
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        return selectors.api_token_user(raw.strip())
    return None


def api_view(view):
    """Read-only API view: session or bearer token, else 401 JSON; a user without
    ``Perm.VIEW_INDICATORS``, 403 JSON; a refused parameter, 400 JSON. Exempt from the login
    redirect."""

    @login_not_required
    @require_GET
    def wrapped(request: HttpRequest, *args, **kwargs):
        user = _api_user(request)
        if user is None:
            response = JsonResponse(
                {"detail": "Sign in, or send Authorization: Bearer <token>."}, status=401
            )
            response["WWW-Authenticate"] = 'Bearer realm="hackperf"'
            return response
        if not user.has_perm(perm_name(Perm.VIEW_INDICATORS)):
            return JsonResponse({"detail": "You do not have access to indicators."}, status=403)
        try:
            return view(request, *args, **kwargs)
        except ApiParameterError as error:
            return JsonResponse({"detail": error.detail, "errors": error.errors}, status=400)
        except Http404 as error:
            return JsonResponse({"detail": str(error) or "Not found."}, status=404)

    wrapped.__doc__ = view.__doc__
    wrapped.__name__ = view.__name__
    return wrapped


# --- Parameters ------------------------------------------------------------------------------


class IntegerFilter(django_filters.Filter):
    """A whole number with bounds (the pagination's); filters nothing by itself."""

    field_class = forms.IntegerField


class InstantField(forms.CharField):
    """An ISO date or datetime (``hackperf.dates.parse_instant``): London when no offset; a
    date alone means its midnight, or with ``end_of_day`` the next, so ``to`` is inclusive."""

    def __init__(self, *args: Any, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_instant(text, end_of_day=self.end_of_day)
        except DateInputError as error:
            raise ValidationError(f"{error}.") from None


class InstantFilter(django_filters.Filter):
    field_class = InstantField


def _unfiltered(queryset, name, value):
    return queryset


class PageParameters(django_filters.FilterSet):
    """What every list takes: ``page`` (from 1) and ``page_size`` (1 to the maximum)."""

    page = IntegerFilter(
        method=_unfiltered, min_value=1, error_messages={"invalid": "Enter a whole number."}
    )
    page_size = IntegerFilter(
        method=_unfiltered,
        min_value=1,
        max_value=API_MAX_PAGE_SIZE,
        error_messages={"invalid": "Enter a whole number."},
    )


class SnapshotParameters(PageParameters):
    """The snapshot list's filters: exact ``metric``, ``breakdown``, ``key`` and
    ``granularity``; ``from`` and ``to`` (inclusive) bound the instant."""

    metric = django_filters.CharFilter()
    breakdown = django_filters.CharFilter()
    key = django_filters.CharFilter()
    granularity = django_filters.ChoiceFilter(choices=choices.Granularity.choices)
    from_ = InstantFilter(field_name="instant", lookup_expr="gte")
    to = InstantFilter(field_name="instant", lookup_expr="lte", end_of_day=True)


# ``from`` is a Python keyword, so it is declared as ``from_`` and renamed for the query string.
SnapshotParameters.base_filters = {
    ("from" if name == "from_" else name): value
    for name, value in SnapshotParameters.base_filters.items()
}


def _validated(request: HttpRequest, parameters: type[PageParameters], queryset) -> PageParameters:
    """The bound FilterSet, or ``ApiParameterError`` naming the first refused parameter."""
    known = list(parameters.base_filters)
    for name in request.GET:
        if name not in known:
            detail = UNKNOWN_PARAMETER.format(name=name, known=", ".join(known))
            raise ApiParameterError(detail, {name: ["This list takes no such parameter."]})
    filterset = parameters(request.GET, queryset=queryset)
    if not filterset.is_valid():
        errors = {name: list(messages) for name, messages in filterset.errors.items()}
        name, messages = next(iter(errors.items()))
        raise ApiParameterError(BAD_PARAMETER.format(name=name, reason=messages[0]), errors)
    return filterset


def _paginated(
    request: HttpRequest,
    parameters: PageParameters,
    items: Sequence[Any] | Any,
    serialise: Callable[[Any], dict[str, object]],
) -> JsonResponse:
    cleaned = parameters.form.cleaned_data
    paginator = Paginator(items, cleaned.get("page_size") or API_PAGE_SIZE)
    number = cleaned.get("page") or 1
    try:
        page = paginator.page(number)
    except EmptyPage:
        reason = PAGE_PAST_THE_END.format(page=number, last=paginator.num_pages)
        raise ApiParameterError(
            BAD_PARAMETER.format(name="page", reason=reason), {"page": [reason]}
        ) from None

    def link(to: int) -> str:
        query = request.GET.copy()
        query["page"] = str(to)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return JsonResponse(
        {
            "count": paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [serialise(item) for item in page.object_list],
        }
    )


def _decimal(number) -> str | None:
    """Decimals travel as strings, so no reporting tool rounds them through a float."""
    return None if number is None else format(number.normalize(), "f")


# --- The lists -------------------------------------------------------------------------------


@api_view
def api_indicator_list(request: HttpRequest) -> JsonResponse:
    """Every indicator's definition."""
    indicators = Indicator.objects.order_by("display_order", "code")
    parameters = _validated(request, PageParameters, indicators)

    def serialise(indicator: Indicator) -> dict[str, object]:
        return {
            "code": indicator.code,
            "slug": indicator.slug,
            "title": indicator.title,
            "description": indicator.description,
            "unit": indicator.unit,
            "polarity": indicator.polarity,
            "frequency": indicator.frequency,
            "owner": indicator.owner,
            "is_computed": indicator.is_computed,
            "source": indicator.source,
            "rag_rule": indicator.rag_rule,
            "url": request.build_absolute_uri(indicator.get_absolute_url()),
            "values_url": request.build_absolute_uri(
                reverse("indicators:api_value_list", kwargs={"code": indicator.slug})
            ),
        }

    return _paginated(request, parameters, indicators, serialise)


@api_view
def api_value_list(request: HttpRequest, code: str) -> JsonResponse:
    """An indicator's monthly values, newest first, with target and RAG."""
    indicator = get_object_or_404(Indicator, slug=code)
    # The values are a list built from several tables; the FilterSet only checks the paging.
    parameters = _validated(request, PageParameters, Indicator.objects.none())
    points = list(reversed(selectors.indicator_history(indicator)))

    def serialise(point: selectors.HistoryPoint) -> dict[str, object]:
        return {
            "period": f"{point.period_start:%Y-%m}",
            "value": _decimal(point.value),
            "numerator": _decimal(point.numerator),
            "denominator": _decimal(point.denominator),
            "target": _decimal(point.target),
            "rag": point.rag.value,
            "status": point.status,
            "commentary": point.commentary,
            "data_quality_note": point.data_quality_note,
        }

    return _paginated(request, parameters, points, serialise)


@api_view
def api_metric_list(request: HttpRequest) -> JsonResponse:
    """Every registered metric's definition (``hackperf.registry``): what each code in the
    snapshots and values means, how it is counted, and its parameters as set now."""
    # The metrics are the registry's, not a table's; the FilterSet only checks the paging.
    parameters = _validated(request, PageParameters, Snapshot.objects.none())

    def serialise(metric: registry.Metric) -> dict[str, object]:
        return {
            "code": metric.code,
            "label": metric.label,
            "definition": metric.definition,
            "kind": metric.kind.value,
            "window": metric.window.value,
            "unit": metric.unit,
            "polarity": metric.polarity.value,
            "source": metric.source,
            "breakdowns": list(metric.breakdowns),
            "parameters": [
                {"name": p.name, "label": p.label, "value": p.value(), "default": p.default}
                for p in metric.parameters
            ],
            "snapshots_url": request.build_absolute_uri(
                f"{reverse('indicators:api_snapshot_list')}?{urlencode({'metric': metric.code})}"
            )
            if metric.is_snapshot
            else None,
        }

    return _paginated(request, parameters, registry.all_metrics(), serialise)


@api_view
def api_snapshot_list(request: HttpRequest) -> JsonResponse:
    """Trend snapshot figures, newest first. Filters: ``metric``, ``breakdown``, ``key``,
    ``granularity`` (exact), ``from`` and ``to`` (ISO dates or datetimes, inclusive)."""
    rows = Snapshot.objects.order_by("-instant", "granularity", "metric", "breakdown", "key")
    parameters = _validated(request, SnapshotParameters, rows)

    def serialise(snapshot: Snapshot) -> dict[str, object]:
        return {
            "instant": snapshot.instant.isoformat(),
            "granularity": snapshot.granularity,
            "metric": snapshot.metric,
            "breakdown": snapshot.breakdown,
            "key": snapshot.key,
            "label": snapshot.label,
            "value": snapshot.value,
        }

    return _paginated(request, parameters, parameters.qs, serialise)
