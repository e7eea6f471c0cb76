"""Hostile input never gives a 500: every URL, every path converter, every GET parameter.

The URL patterns are walked from the resolver, so a new URL is fuzzed without being listed.
Each path converter gets NUL, overlong and calendar-edge values; each GET parameter a view
reads (found in its source, its filterset and the forms it binds to ``request.GET``, plus a
generic set) gets the same, also as an htmx partial request; and every route is POSTed the
fields of the forms its view names. Signed in as the DMT and as an IG officer, with the test
client's ``raise_request_exception`` off, every 5xx is counted and reported together.
"""

import inspect
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hackperf.exports import ListCsvMixin, TableCsvMixin
from hackperf.roles import Role

# Names a dashboard's query string commonly carries, sent to every page.
GENERIC_PARAMS = [
    "q",
    "page",
    "sort",
    "from",
    "to",
    "as_of",
    "period",
    "quarter",
    "month",
    "metric",
    "directorate",
    "queue",
    "breakdown",
    "key",
    "granularity",
    "instant",
    "status",
    "kind",
    "year",
    "page_size",
    "format",
    "end",
]

CSV_VIEWS = (TableCsvMixin, ListCsvMixin)

VALUES = [
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "9" * 10_000,
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00",
    "9999-12",
    "0001-01",
    "0001-Q1",
    "9999-Q4",
    "2026-02-30",
    "-1",
    "99999999999999999999",
]

PATH_VALUES = {
    "int": ["0", "99999999999999999999", "9" * 10_000],
    "slug": ["x" * 10_000, "9999-12-31", "0001-01-01"],
    "str": ["\x00", "a\x00b", "x" * 10_000, "9999-12-31", "0001-01-01"],
    "path": ["\x00", "x" * 10_000],
    "period": ["9999-12", "0001-01", "0000-01", "2026-13"],
}
# A plausible value for each converter, used while another one is fuzzed.
PATH_DEFAULTS = {
    "int": "1",
    "slug": "fr-ict-17",
    "str": "INC0001",
    "path": "x",
    "period": "2026-10",
}

GET_READS = re.compile(
    r"""(?:GET|\bget)(?:\.get|\.getlist|\.__getitem__)?[\(\[]\s*["']([A-Za-z0-9_]+)["']"""
)
FORM_ON_GET = re.compile(r"""([\w.]+)\(\s*(?:data=)?(?:self\.)?request\.GET""")


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # Django's admin, not ours
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def route_to_path(route: str, values: dict[str, str]) -> str:
    def sub(match):
        return quote(values[match.group(2)], safe="")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


def converters(route: str) -> dict[str, str]:
    return {name: kind or "str" for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", route)}


def project_classes(pattern: URLPattern):
    """The classes of a view (its MRO) that this project wrote, each with its source (None
    where it cannot be read) and its module."""
    view = getattr(pattern.callback, "view_class", pattern.callback)
    for cls in getattr(view, "__mro__", [view]):
        if cls.__module__.split(".")[0] not in ("hackperf", "servicedesk", "infogov", "indicators"):
            continue
        try:
            source = inspect.getsource(cls)
        except (OSError, TypeError):
            source = None
        yield cls, source, inspect.getmodule(cls)


def view_params(pattern: URLPattern) -> set[str]:
    """The GET parameters a view reads: its source, its filterset, forms bound to GET."""
    names: set[str] = set()
    for cls, source, module in project_classes(pattern):
        if source is None:
            continue
        names |= set(GET_READS.findall(source))
        for match in FORM_ON_GET.finditer(source):
            form = module
            for part in match.group(1).split("."):
                form = getattr(form, part, None)
            names |= set(getattr(form, "base_fields", {}))
        filterset = getattr(cls, "filterset_class", None)
        if filterset is not None:
            # The form's fields are named after the filters (no instance: some need a user).
            names |= set(filterset.base_filters)
    return names


ROUTES = list(walk(get_resolver().url_patterns))


def test_the_resolver_walk_finds_the_site():
    routes = [route for route, _ in ROUTES]
    assert len(routes) >= 40
    assert "indicators/<slug:code>/values/<period:period>/behind/" in routes


def test_it_finds_the_parameters_views_read():
    params = {route: view_params(pattern) for route, pattern in ROUTES}
    assert {"metric", "instant", "granularity", "breakdown", "key"} <= params["review/figures/"]
    assert "quarter" in params["information-governance/ig-group-report/"]
    assert {"queue", "month"} <= params["queues/surveys/comments/"]
    assert "q" in params["information-governance/"]  # the case list's filterset


def fuzz(client: Client) -> tuple[dict[str, int], int]:
    """Every hostile request; the 5xx answers by request, and how many requests were sent."""
    failures: dict[str, int] = {}
    sent = 0

    def get(path, params=None, **headers):
        nonlocal sent
        sent += 1
        response = client.get(path, params or {}, headers=headers)
        if response.streaming:
            # A CSV streams after the view returns: an error there is a broken download,
            # not a 500, so read it whole here.
            try:
                b"".join(response.streaming_content)
            except Exception:  # any failure at all is the finding
                response.status_code = 500
        if response.status_code >= 500:
            label = f"{path[:120]} {str(params)[:120]} {headers or ''}"
            failures[label] = response.status_code

    for route, pattern in ROUTES:
        kinds = converters(route)
        defaults = {name: PATH_DEFAULTS.get(kind, "x") for name, kind in kinds.items()}
        # Path converters, one at a time.
        for name, kind in kinds.items():
            for value in PATH_VALUES.get(kind, PATH_VALUES["str"]):
                get(route_to_path(route, {**defaults, name: value}))
        path = route_to_path(route, defaults)
        # Every generic and view-read parameter at once, each value in turn ...
        names = sorted(set(GENERIC_PARAMS) | view_params(pattern))
        for value in VALUES:
            get(path, {name: value for name in names})
            # htmx asks for partials (table bodies, live counts) with this header.
            get(path, {name: value for name in names}, HX_Request="true")
        # The tables' CSV downloads (hackperf.exports), with every hostile filter and sort.
        if issubclass(getattr(pattern.callback, "view_class", object), CSV_VIEWS):
            for value in VALUES:
                get(path, {**{name: value for name in names}, "format": "csv"})
        # ... and each parameter the view reads, alone, so none hides behind another.
        for name in sorted(view_params(pattern)):
            for value in VALUES:
                get(path, {name: value})
    return failures, sent


@pytest.fixture
def some_data(db):
    """Enough data that views go past "nothing here": indicators, a queue, a ticket, a case."""
    from django.utils import timezone

    from indicators import demo
    from tests.infogov.factories import CaseFactory
    from tests.servicedesk.factories import QueueFactory, log_ticket

    demo.seed(now=timezone.now())
    queue = QueueFactory(slug="desk", name="Service desk")
    log_ticket(queue=queue, at=timezone.now(), reference="INC0001")
    CaseFactory()


def test_it_posts_each_box_of_a_date_input():
    route = dict(ROUTES)["information-governance/cases/new/"]
    assert {"received", "received-day", "received-month", "received-year"} <= view_form_fields(
        route
    )


FORM_USED = re.compile(r"""\b([A-Z]\w*Form)\b""")


def form_field_names(form) -> set[str]:
    """A form's field names as posted: a GOV.UK date input posts a box for each part
    (``received-day``, ``received-month``, ``received-year``) besides its own name."""
    from hackperf.forms import GovukDateWidget

    names = set()
    for name, field in getattr(form, "base_fields", {}).items():
        names.add(name)
        if isinstance(field.widget, GovukDateWidget):
            names |= {f"{name}-{part}" for part in field.widget.parts}
    return names


def view_form_fields(pattern: URLPattern) -> set[str]:
    """The fields of every form a view names (its ``form_class`` and forms in its source)."""
    names: set[str] = set()
    for cls, source, module in project_classes(pattern):
        names |= form_field_names(getattr(cls, "form_class", None))
        if source is None:
            continue
        names |= set(GET_READS.findall(source.replace("POST", "GET")))
        for form_name in FORM_USED.findall(source):
            form = getattr(module, form_name, None) or getattr(
                getattr(module, "forms", None), form_name, None
            )
            names |= form_field_names(form)
    return names


def fuzz_posts(client: Client) -> tuple[dict[str, int], int]:
    """Every route, POSTed every form field at once with each hostile value."""
    failures: dict[str, int] = {}
    sent = 0
    for route, pattern in ROUTES:
        if route.startswith(("sign-in", "sign-out")):
            continue  # signing in and out are tested on their own (test_bad_input)
        kinds = converters(route)
        path = route_to_path(route, {name: PATH_DEFAULTS.get(k, "x") for name, k in kinds.items()})
        names = sorted(view_form_fields(pattern) | {"q", "next", "reason", "commentary"})
        for value in VALUES:
            sent += 1
            response = client.post(path, {name: value for name in names})
            if response.status_code >= 500:
                failures[f"POST {path[:120]} {value[:40]!r}"] = response.status_code
    return failures, sent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("send", "at_least"),
    [
        # It really went everywhere (1,870 requests in December 2026).
        pytest.param(fuzz, 1_500, id="input"),
        pytest.param(fuzz_posts, 500, id="post"),
    ],
)
@pytest.mark.parametrize("role", [Role.DMT, Role.IG_OFFICER])
def test_no_hostile_request_gives_a_500(some_data, make_user, role, send, at_least):
    client = Client(raise_request_exception=False)
    client.force_login(make_user(role))
    failures, sent = send(client)
    assert sent > at_least
    assert failures == {}, "\n".join(f"{status} {label}" for label, status in failures.items())
