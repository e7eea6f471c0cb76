"""The mapping loader ticket and case import share (hackperf/importing/mapping.py).

pydantic checks the TOML's structure; these tests check that what the person who wrote the
mapping reads is the file, the key and why, in words, never pydantic's own messages.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hackperf.importing.mapping import (
    MappingError,
    Mappings,
    MappingSpec,
    Where,
    check_defaults,
    check_values,
    fold,
    is_preset,
    load_toml,
    validate_spec,
)
from hackperf.importing.rows import SHOWN, RowError, RowErrors, error_count

MINIMAL = '[columns]\nreference = "Ref"\n'


def refused(text: str) -> str:
    with pytest.raises(MappingError) as caught:
        validate_spec(MappingSpec, tomllib.loads(text), Where("/somewhere/export.toml"))
    return str(caught.value)


class ValidateSpecTests:
    def test_it_reads_the_defaults(self):
        spec = validate_spec(MappingSpec, tomllib.loads(MINIMAL), Where("x.toml"))
        assert spec.dates.date_formats == ("iso",)
        assert spec.dates.zone.key == "Europe/London"
        assert (spec.dates.ambiguous, spec.dates.nonexistent) == ("earlier", "error")
        assert (spec.file.encoding, spec.file.delimiter) == ("utf-8-sig", ",")
        assert spec.markers == frozenset({""})

    def test_format_is_the_singular_of_formats(self):
        spec = validate_spec(
            MappingSpec, tomllib.loads('[dates]\nformat = "%d/%m/%Y"\n' + MINIMAL), Where("x")
        )
        assert spec.dates.date_formats == ("%d/%m/%Y",)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                'colour = "red"\n' + MINIMAL,
                "export.toml: colour: unknown key (expected one of columns, dates, defaults, "
                "description, file, name, null_markers, values)",
            ),
            ("", "export.toml: [columns]: is missing"),
            ("columns = 3\n", "export.toml: [columns]: must be a table"),
            ("name = 3\n" + MINIMAL, "export.toml: name: must be a string, got 3"),
            (
                '[dates]\nambiguous = "first"\n' + MINIMAL,
                'export.toml: [dates].ambiguous: must be "earlier", "later" or "error", '
                "got 'first'",
            ),
            (
                "[dates]\nnonexistent = true\n" + MINIMAL,
                'export.toml: [dates].nonexistent: must be "error" or "shift_forward", got True',
            ),
            (
                '[dates]\ntimezone = "Mars/Olympus"\n' + MINIMAL,
                "export.toml: [dates].timezone: unknown time zone 'Mars/Olympus'",
            ),
            (
                "[dates]\nformats = []\n" + MINIMAL,
                'export.toml: [dates].formats: must be a list of strptime formats or "iso"',
            ),
            (
                "[file]\nencoding = 8\n" + MINIMAL,
                "export.toml: [file].encoding: must be a string, got 8",
            ),
            (
                '[file]\nquote = "x"\n' + MINIMAL,
                "export.toml: [file].quote: unknown key (expected one of delimiter, encoding)",
            ),
            (
                'null_markers = "NULL"\n' + MINIMAL,
                'export.toml: null_markers: must be a list of strings, e.g. ["", "NULL", "n/a"]',
            ),
            ("[values]\nstatus = 3\n" + MINIMAL, "export.toml: [values.status]: must be a table"),
        ],
    )
    def test_it_names_the_file_the_key_and_why(self, text, message):
        assert refused(text) == message

    def test_an_unknown_key_is_reported_before_what_it_left_missing(self):
        assert refused('[column]\nreference = "Ref"\n').startswith(
            "export.toml: column: unknown key"
        )

    def test_it_does_not_take_a_string_for_a_number_or_a_truth(self):
        class Spec(MappingSpec):
            flag: bool = False

        with pytest.raises(MappingError, match=r"flag: must be true or false"):
            validate_spec(Spec, tomllib.loads('flag = "yes"\n' + MINIMAL), Where("x.toml"))


class VocabularyTests:
    def test_value_maps_fold_case_and_spacing(self):
        found = check_values(
            {"status": {"  Waiting  For Customer ": "waiting"}},
            targets={"status": ("waiting",)},
            where=Where("x.toml"),
        )
        assert found == {"status": {"waiting for customer": "waiting"}}
        assert fold("  Waiting\tFOR customer") == "waiting for customer"

    def test_a_value_map_to_something_not_ours_names_the_source_value(self):
        with pytest.raises(MappingError) as caught:
            check_values(
                {"status": {"Open": "opened"}}, targets={"status": ("open",)}, where=Where("x")
            )
        assert str(caught.value) == "x: [values.status] 'Open': 'opened' is not one of open"

    def test_a_date_cannot_have_a_default(self):
        with pytest.raises(MappingError, match=r"\[defaults\]\.received: not a field that can"):
            check_defaults(
                {"received": "2025-01-01"},
                fields=("reference", "received"),
                no_default=("received",),
                targets={},
                where=Where("x"),
            )


class LoadingTests:
    def test_a_bare_name_is_a_preset_and_anything_else_a_path(self):
        assert is_preset("bpic2013")
        assert not is_preset("./bpic2013") and not is_preset("bpic2013.toml")

    def test_it_lists_the_presets_when_there_is_no_such_preset(self, tmp_path: Path):
        (tmp_path / "alpha.toml").write_text(MINIMAL)
        with pytest.raises(MappingError, match="no preset called 'beta'; presets: alpha"):
            load_toml("beta", presets_dir=tmp_path)

    def test_uploaded_text_that_is_not_toml_is_a_mapping_error(self, tmp_path: Path):
        (tmp_path / "alpha.toml").write_text('name = "Alpha"\n' + MINIMAL)

        def load(name: str) -> MappingSpec:
            data, path = load_toml(name, presets_dir=tmp_path)
            return validate_spec(MappingSpec, data, Where(str(path)))

        def parse(data, *, source: str) -> MappingSpec:
            return validate_spec(MappingSpec, data, Where(source))

        mappings = Mappings(tmp_path, load, parse)
        assert mappings.presets() == [("alpha", "Alpha")]
        with pytest.raises(MappingError, match=r"^up\.toml: not valid TOML"):
            mappings.from_text("columns = [", source="up.toml")


class RowErrorTests:
    def test_it_cuts_a_long_value_and_counts_what_it_does_not_keep(self):
        errors = RowErrors(keep=1)
        errors.append(RowError(2, "Summary", "x" * 5000, "too long"))
        errors.append(RowError(3, None, None, "bad"))
        assert len(errors[0].value) == SHOWN and errors[0].value.endswith("…")
        assert (len(errors), error_count(errors), errors.not_kept) == (1, 2, 1)
        assert str(RowError(3, None, None, "bad")) == "line 3: bad"
