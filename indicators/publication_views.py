"""Open data: the council's FOI and EIR statistics, CSV and JSON, at stable URLs that need
no login (``@login_not_required``, like the survey page). Only aggregate counts of approved
quarters, small cells suppressed (``indicators.publication``)."""

import csv
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from hackperf import registry
from indicators import publication


def columns() -> list[str]:
    return [
        "Quarter",
        "Public authority",
        *registry.provider("infogov.publication_columns")(),
        publication.PERCENT_MET,
        publication.PERCENT_IN_TIME,
        "Licence",
        "Last updated",
    ]


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else ("" if value is None else value)


def _open_data(
    fmt: str, filename: str, names: list[str], rows: list[dict], about: Mapping[str, object]
) -> HttpResponse:
    """An open data file: ``about`` then the columns and rows as JSON, or the rows as CSV;
    inline, and readable from any site."""
    response: HttpResponse
    if fmt == "json":
        response = JsonResponse(
            {
                **about,
                "columns": names,
                "rows": [{k: _plain(row.get(k)) for k in names} for row in rows],
            },
            json_dumps_params={"ensure_ascii": False, "indent": 1},
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(names)
        for row in rows:
            writer.writerow([_plain(row.get(k)) for k in names])
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@login_not_required
@require_GET
def foi_open_data(request, frequency: str, fmt: str):
    """``/open-data/foi-eir-statistics-{quarterly,annual}.{csv,json}``."""
    if frequency not in publication.FREQUENCIES or fmt not in ("csv", "json"):
        raise Http404("No such publication.")
    rows, updated = publication.publication_rows(frequency)
    names = columns()
    filename = f"foi-eir-statistics-{frequency}.{fmt}"
    min_cell = getattr(settings, "INFOGOV_PUBLICATION_MIN_CELL", 5)
    about = {
        "title": f"FOI and EIR statistics ({frequency})",
        "publisher": rows[0]["Public authority"] if rows else "",
        "licence": publication.LICENCE,
        "last_updated": updated.date().isoformat() if updated else None,
        "approved_only": (
            "Quarters whose three months have approved FR ICT 18a and 18b values; "
            "years whose four quarters are."
        ),
        "suppression": (
            f"Counts from 1 to {min_cell - 1} are shown as {publication.SUPPRESSED}, "
            "and so is a percentage built on one."
        ),
    }
    return _open_data(fmt, filename, names, rows, about)


@login_not_required
@require_GET
def indicators_open_data(request, fmt: str):
    """``/open-data/indicators.{csv,json}``: the approved values of the public indicators."""
    if fmt not in ("csv", "json"):
        raise Http404("No such publication.")
    rows, updated = publication.indicator_rows()
    about = {
        "title": "Performance indicators (approved values of the published indicators)",
        "licence": publication.LICENCE,
        "last_updated": updated.date().isoformat() if updated else None,
    }
    return _open_data(fmt, f"indicators.{fmt}", list(publication.INDICATOR_COLUMNS), rows, about)
