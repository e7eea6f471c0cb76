"""Import pages shared by ticket and case import: upload, progress, history, bad rows as CSV.

An upload is stored and queued, never imported inside the request (gunicorn gives a request
30 s; a year's export takes longer): ``ImportUploadView`` keeps the file under
``IMPORT_ROOT``, records an ``ImportRun`` and queues its app's task on commit, then sends the
person to the run's progress page, which htmx refreshes every ``REFRESH_SECONDS`` until the
run ends with its summary or its bad rows.

Who may see a run is its kind's permission (``KIND_PERMS``): the DMT's, today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import DetailView, FormView
from django_tables2 import SingleTableView

from hackperf.choices import ImportKind
from hackperf.exports import TableCsvMixin, csv_response
from hackperf.forms import GovukForm
from hackperf.importing.mapping import MappingError, Mappings
from hackperf.imports import (
    import_file_store,
    import_run_create,
    import_run_progress,
    import_run_stalled,
)
from hackperf.models import ImportRun
from hackperf.roles import Perm, perm_name
from hackperf.tables import ImportRunTable
from hackperf.tasks import enqueue_on_commit
from hackperf.views import PermissionRequired

if TYPE_CHECKING:
    _RunView = DetailView[ImportRun]  # what ImportRunMixin goes on, for mypy
else:
    _RunView = object

REFRESH_SECONDS = 2
KIND_PERMS = {ImportKind.TICKETS: Perm.IMPORT_TICKETS, ImportKind.CASES: Perm.IMPORT_CASES}
CUSTOM = "custom"
NEED_MAPPING_FILE = "Choose your mapping file (.toml)"


def kinds_for(user) -> list[str]:
    """The kinds of import this person may run and see."""
    return [kind for kind, perm in KIND_PERMS.items() if user.has_perm(perm_name(perm))]


class ImportForm(GovukForm):
    """An export, its mapping (a preset or an uploaded TOML file) and whether to dry-run.

    ``mappings`` are the app's (``hackperf.importing.mapping.Mappings``): the presets offered,
    and how a preset is loaded and an uploaded file parsed. ``cleaned_data`` then holds
    ``parsed_mapping`` and, for a custom mapping, ``mapping_toml``.
    """

    export = forms.FileField(
        label="Export file",
        help_text="A CSV file, or a gzip-compressed CSV (.csv.gz), from the other system.",
    )
    mapping = forms.ChoiceField(
        label="Mapping",
        help_text="Which system the file comes from: how its columns and values map to ours.",
    )
    mapping_file = forms.FileField(
        label="Custom mapping file",
        required=False,
        help_text="Only for a custom mapping: a TOML file in the format the README describes.",
    )
    dry_run = forms.BooleanField(
        label="Dry run: check the file and show what would change, but write nothing",
        required=False,
    )

    def __init__(self, *args, mappings: Mappings, export_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.mappings = mappings
        cast(forms.ChoiceField, self.fields["mapping"]).choices = [
            *mappings.presets(),
            (CUSTOM, "Custom mapping (upload a TOML file)"),
        ]
        if export_help:
            self.fields["export"].help_text = export_help

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean gives cleaned_data
        if data.get("mapping") != CUSTOM:
            if data.get("mapping"):
                data["parsed_mapping"] = self.mappings.load(data["mapping"])
            return data
        upload = data.get("mapping_file")
        if upload is None:
            self.add_error("mapping_file", NEED_MAPPING_FILE)
            return data
        try:
            with open(upload.temporary_file_path(), "rb") as f:
                text = f.read().decode("utf-8")
            data["parsed_mapping"] = self.mappings.from_text(text, source=upload.name)
            data["mapping_toml"] = text
        except UnicodeDecodeError:
            self.add_error("mapping_file", f"{upload.name}: not UTF-8 text")
        except MappingError as e:
            self.add_error("mapping_file", str(e))
        return data


@method_decorator(csrf_exempt, name="dispatch")
class ImportUploadView(PermissionRequired, FormView):
    """Store an upload, record its ImportRun, queue its task, go to its progress page.

    Subclasses set ``perm``, ``kind``, ``mappings`` (the app's), ``template_name`` and
    ``task`` (a Celery task taking the run's pk), and may set ``export_help``. They must not
    override ``dispatch``: it is this class's, first, so that the view is CSRF-exempt until
    the upload handlers are set (below).
    """

    kind: str
    mappings: Mappings
    export_help = ""
    form_class = ImportForm
    task = None

    def dispatch(self, request, *args, **kwargs):
        # Uploads go to a temporary file whatever their size. The handlers must be set before
        # anything reads request.POST, so CSRF is checked here, after (Django docs, "Modifying
        # upload handlers on the fly").
        request.upload_handlers = [TemporaryFileUploadHandler(request)]
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "mappings": self.mappings,
            "export_help": self.export_help,
        }

    def form_valid(self, form):
        data = form.cleaned_data
        export = data["export"]
        stored = import_file_store(chunks=export.chunks(), name=export.name)
        custom = data["mapping"] == CUSTOM
        run = import_run_create(
            kind=self.kind,
            stored=stored,
            mapping_name=data["parsed_mapping"].name,
            mapping_preset="" if custom else data["mapping"],
            mapping_toml=data.get("mapping_toml", "") if custom else "",
            dry_run=data["dry_run"],
            user=self.request.user,
        )
        # Queued once the run is committed; a stopped broker is logged, not a 500: the run
        # stays queued and its page says so.
        enqueue_on_commit(self.task, run.pk)
        return redirect("import_run_detail", pk=run.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent_runs"] = ImportRun.objects.filter(kind=self.kind).defer(
            "bad_rows", "summary_lines", "mapping_toml"
        )[:5]
        return context


class ImportRunMixin(_RunView):
    """A run, for someone whose role includes its kind's permission (403 otherwise)."""

    model = ImportRun
    context_object_name = "run"

    def get_object(self, queryset=None):
        run = get_object_or_404(ImportRun, pk=self.kwargs["pk"])
        if not self.request.user.has_perm(perm_name(KIND_PERMS[ImportKind(run.kind)])):
            raise PermissionDenied
        return run

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = context["run"]
        now = timezone.now()
        context["progress"] = progress = import_run_progress(run)
        context["stalled"] = import_run_stalled(run, progress, now=now)
        context["refresh_seconds"] = REFRESH_SECONDS
        context["upload_keep_days"] = settings.IMPORT_UPLOAD_KEEP_DAYS
        context["give_up_hours"] = round(settings.IMPORT_QUEUED_GIVE_UP_AFTER / 3600)
        if run.started_at is not None:
            context["elapsed"] = (run.finished_at or now) - run.started_at
        context["upload_url_name"] = {
            ImportKind.TICKETS: "servicedesk:ticket_import",
            ImportKind.CASES: "infogov:case_import",
        }[ImportKind(run.kind)]
        return context


class ImportRunDetailView(ImportRunMixin, DetailView):
    """The progress page: how far the import is, then its summary or every bad row."""

    template_name = "hackperf/importrun_detail.html"


class ImportRunProgressView(ImportRunMixin, DetailView):
    """The progress region alone, for htmx to swap in every few seconds."""

    template_name = "hackperf/includes/_importrun_progress.html"


class ImportRunBadRowsView(ImportRunMixin, DetailView):
    """The run's stored bad rows as CSV: line, column, value, reason. The values come from the
    uploaded file as they were, so they go through ``csv_response``'s formula escaping like
    every other download: a cell ``=HYPERLINK(...)`` in an export is a value, never a formula
    in the spreadsheet of the person who opens the list."""

    def render_to_response(self, context, **kwargs):
        run = context["run"]
        rows = (
            [row.get("line"), row.get("column"), row.get("value"), row["reason"]]
            for row in run.bad_rows
        )
        return csv_response(
            [["line", "column", "value", "reason"], *rows], filename=f"import-{run.pk}-bad-rows"
        )


class ImportRunListView(TableCsvMixin, SingleTableView):
    """The import history: every run of the kinds this person may import, newest first."""

    table_class = ImportRunTable
    template_name = "hackperf/importrun_list.html"
    csv_filename = "import-history"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not kinds_for(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ImportRun]:
        runs = ImportRun.objects.filter(kind__in=kinds_for(self.request.user))
        kind = self.request.GET.get("kind")
        if kind in ImportKind.values:
            runs = runs.filter(kind=kind)
        # bad_rows can hold 1,000 rows, mapping_toml a whole file: the list never loads them.
        return runs.defer("bad_rows", "summary_lines", "mapping_toml")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kinds = kinds_for(self.request.user)
        context["kinds"] = [(k, ImportKind(k).label) for k in kinds]
        context["kind"] = self.request.GET.get("kind", "")
        return context
