"""Tables of the project package's pages, and one speed-up for every table of the site."""

from functools import lru_cache

import django_tables2 as tables
import django_tables2.utils
from django.utils import timezone
from django.utils.html import format_html

from hackperf.choices import IMPORT_KEPT_NOTHING
from hackperf.roles import Role
from hackperf.templatetags.ui import rag_tag

ROLE_LABELS = dict(Role.choices)


class BadgeColumn(tables.Column):
    """A choice's word in its coloured tag (the model's ``get_<field>_color()`` and
    ``get_<field>_display()``, as NetBox's ``ChoiceFieldColumn``); the word is always there."""

    def render(self, value, record, bound_column):
        field = bound_column.accessor
        return rag_tag(
            getattr(record, f"get_{field}_color")(), getattr(record, f"get_{field}_display")()
        )


class PersonTable(tables.Table):
    """People and the roles they hold (the DMT's view of who can see what)."""

    username = tables.Column(verbose_name="User name")
    full_name = tables.Column(
        verbose_name="Name", accessor="get_full_name", order_by=("last_name", "first_name")
    )
    email = tables.EmailColumn(verbose_name="E-mail")
    roles = tables.Column(verbose_name="Roles", accessor="pk", orderable=False)
    last_login = tables.DateTimeColumn(
        verbose_name="Last signed in", format="j M Y H:i", default="Never"
    )

    class Meta:
        fields = ("username", "full_name", "email", "roles", "last_login")
        order_by = ("username",)
        empty_text = "Nobody has an account yet."

    def render_roles(self, record) -> str:
        # Groups are prefetched by the selector: no query per row.
        names = [ROLE_LABELS.get(group.name, group.name) for group in record.groups.all()]
        return ", ".join(names) or "No role"


def _duration(value) -> str:
    """A run's length as the run's own page gives it: tenths of a second under a minute
    ("1.9 s", not "1 s"), whole minutes and seconds above."""
    total = value.total_seconds()
    if total < 60:
        return f"{total:.1f} s"
    minutes, seconds = divmod(int(total), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {seconds:02d} s"


class ImportRunTable(tables.Table):
    """The import history (hackperf.import_views.ImportRunListView), newest first."""

    created_at = tables.DateTimeColumn(
        verbose_name="Queued",
        format="j M Y H:i",
        linkify=("import_run_detail", {"pk": tables.A("pk")}),
        order_by=("created_at", "pk"),
    )
    file_name = tables.Column(verbose_name="File", order_by=("file_name", "pk"))
    mapping_name = tables.Column(verbose_name="Mapping", order_by=("mapping_name", "pk"))
    created_by_name = tables.Column(verbose_name="Started by", order_by=("created_by_name", "pk"))
    state = BadgeColumn(verbose_name="State", order_by=("state", "pk"))
    rows_read = tables.Column(
        verbose_name="Rows",
        order_by=("rows_read", "pk"),
        attrs={"td": {"class": "hp-num"}, "th": {"class": "hp-num"}},
    )
    items = tables.Column(
        verbose_name="Tickets or cases",
        order_by=("items", "pk"),
        attrs={"td": {"class": "hp-num"}, "th": {"class": "hp-num"}},
    )
    bad_row_count = tables.Column(
        verbose_name="Bad rows",
        order_by=("bad_row_count", "pk"),
        attrs={"td": {"class": "hp-num"}, "th": {"class": "hp-num"}},
    )
    duration = tables.Column(verbose_name="Took", accessor="duration", orderable=False)

    class Meta:
        fields = (
            "created_at",
            "file_name",
            "mapping_name",
            "created_by_name",
            "state",
            "rows_read",
            "items",
            "bad_row_count",
            "duration",
        )
        order_by = ("-created_at",)
        attrs = {"class": "govuk-table lbh-table", "id": "import-runs"}
        empty_text = "Nothing has been imported yet."

    def render_file_name(self, record) -> str:
        # What was imported, and how: tickets or cases, and whether only as a dry run.
        return format_html(
            '{}<br><span class="lbh-body-xs">{}{}</span>',
            record.file_name,
            record.get_kind_display(),
            ", dry run" if record.dry_run else "",
        )

    def render_rows_read(self, value) -> str:
        return f"{value:,}"

    def render_items(self, value, record) -> str:
        # A refused or failed run wrote nothing: the tickets it read are not "imported".
        if record.state in IMPORT_KEPT_NOTHING:
            return "None written"
        return f"{value:,}"

    def value_rows_read(self, value) -> int:
        return value  # a number in the spreadsheet, not "3,000"

    def value_bad_row_count(self, value) -> int:
        return value

    def value_items(self, value, record) -> int | str:
        return "" if record.state in IMPORT_KEPT_NOTHING else value

    def value_created_at(self, value) -> str:
        # The spreadsheet's column: London time to the second, as the page shows it.
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}"

    def value_file_name(self, record) -> str:
        dry_run = ", dry run" if record.dry_run else ""
        return f"{record.file_name} ({record.get_kind_display().lower()}{dry_run})"

    def render_bad_row_count(self, value) -> str:
        return f"{value:,}"

    def render_duration(self, value) -> str:
        return _duration(value)


def cache_cell_signatures() -> None:
    """Make django-tables2 read each render method's signature once, not once per cell.

    Why: for every cell it renders, django-tables2 calls ``inspect.signature`` on the
    column's ``render`` (``utils.call_with_appropriate``) to pass only the arguments asked
    for. A queue page's 25 rows of 9 columns spent an eighth of the page's time there
    (profiled at 1M tickets, issue 15). A function's signature never changes, so it is kept,
    keyed by the function under a bound method (a new bound method is made for every cell,
    and its signature is the function's without ``self``); bounded, in case a caller renders
    with lambdas made afresh. Installed once, from ``HackperfConfig.ready``.
    """
    utils = django_tables2.utils
    if getattr(utils.signature, "hackperf_cached", False):
        return
    uncached = utils.signature

    @lru_cache(maxsize=2048)
    def of_function(function):
        return uncached(function)

    def signature(fn):
        function = getattr(fn, "__func__", None)
        owner = getattr(fn, "__self__", None)
        try:
            if function is not None and owner is not None and not isinstance(owner, type):
                args, keywords = of_function(function)
                return args[1:], keywords  # bound: without its self
            return of_function(fn)
        except TypeError:  # unhashable (a callable instance without __hash__)
            return uncached(fn)

    signature.hackperf_cached = True  # type: ignore[attr-defined]  # a marker on the function
    utils.signature = signature
