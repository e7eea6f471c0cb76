"""The DMT's upload page for ``import_tickets``: the same import, from a browser.

The export is streamed to a temporary file (never held in memory: exports run to hundreds of
megabytes) and imported all or nothing by ``servicedesk.importers.writer``, so a file with bad
rows writes nothing and the page lists every bad row. Needs ``Perm.IMPORT_TICKETS``.
"""

from __future__ import annotations

import tomllib

from django import forms
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import FormView

from hackperf.roles import Perm
from hackperf.views import PermissionRequired
from servicedesk.importers import MappingError, load_mapping, parse_mapping
from servicedesk.importers.mapping import PRESETS_DIR
from servicedesk.importers.writer import ImportFileError, tickets_import

CUSTOM = "custom"
SHOWN_ERRORS = 1000
"""Bad rows listed on the page; the command lists them all."""
NEED_MAPPING_FILE = "Choose your mapping file (.toml)"


def preset_choices() -> list[tuple[str, str]]:
    choices = []
    for path in sorted(PRESETS_DIR.glob("*.toml")):
        choices.append((path.stem, load_mapping(path.stem).name))
    return [*choices, (CUSTOM, "Custom mapping (upload a TOML file)")]


class ImportForm(forms.Form):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].choices = preset_choices()

    def clean(self):
        data = super().clean()
        if data.get("mapping") != CUSTOM:
            if data.get("mapping"):
                data["parsed_mapping"] = load_mapping(data["mapping"])
            return data
        upload = data.get("mapping_file")
        if upload is None:
            self.add_error("mapping_file", NEED_MAPPING_FILE)
            return data
        try:
            with open(upload.temporary_file_path(), "rb") as f:
                parsed = tomllib.load(f)
            data["parsed_mapping"] = parse_mapping(parsed, source=upload.name)
        except tomllib.TOMLDecodeError as e:
            self.add_error("mapping_file", f"{upload.name}: not valid TOML: {e}")
        except (MappingError, UnicodeDecodeError) as e:
            self.add_error("mapping_file", str(e))
        return data


@method_decorator(csrf_exempt, name="dispatch")
class ImportView(PermissionRequired, FormView):
    """Upload an export and import it (or dry-run it); show the summary or every bad row."""

    perm = Perm.IMPORT_TICKETS
    form_class = ImportForm
    template_name = "servicedesk/import_form.html"

    def dispatch(self, request, *args, **kwargs):
        # Uploads go to a temporary file whatever their size. The handlers must be set before
        # anything reads request.POST, so CSRF is checked here, after (Django docs, "Modifying
        # upload handlers on the fly").
        request.upload_handlers = [TemporaryFileUploadHandler(request)]
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        export = data["export"]
        try:
            summary = tickets_import(
                source=export.temporary_file_path(),
                mapping=data["parsed_mapping"],
                dry_run=data["dry_run"],
            )
        except ImportFileError as e:
            form.add_error("export", str(e).replace(export.temporary_file_path(), export.name))
            return self.form_invalid(form)
        status = 400 if summary.errors else 200
        return self.render_to_response(
            self.get_context_data(
                form=form,
                summary=summary,
                filename=export.name,
                shown_errors=summary.errors[:SHOWN_ERRORS],
                hidden_errors=max(0, summary.error_count - SHOWN_ERRORS),
            ),
            status=status,
        )
