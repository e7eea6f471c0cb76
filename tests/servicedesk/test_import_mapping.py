"""Tests for the TOML import mapping (servicedesk/importers/mapping.py).

The people who write mappings are not programmers, so every refusal must name the key at fault.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from servicedesk import choices
from servicedesk.importers import mapping as mapping_module
from servicedesk.importers.mapping import MappingError, load_mapping, parse_mapping

MINIMAL_TICKETS = """
shape = "ticket"
[columns]
reference = "Ref"
opened_at = "Opened"
"""

MINIMAL_EVENTS = """
shape = "event"
[columns]
reference = "Ref"
updated_at = "When"
status = "State"
"""


def parse(text: str):
    return parse_mapping(tomllib.loads(text), source="test.toml")


def refused(text: str) -> str:
    with pytest.raises(MappingError) as caught:
        parse(text)
    return str(caught.value)


class MappingTests:
    def test_it_reads_a_minimal_ticket_mapping_with_defaults(self):
        mapping = parse(MINIMAL_TICKETS)
        assert mapping.shape == "ticket"
        assert mapping.columns == {"reference": ("Ref",), "opened_at": ("Opened",)}
        assert mapping.date_formats == ("iso",)
        assert mapping.timezone.key == "Europe/London"
        assert mapping.null_markers == frozenset({""})
        assert mapping.encoding == "utf-8-sig"
        assert mapping.delimiter == ","
        assert mapping.ambiguous == "earlier"
        assert mapping.nonexistent == "error"

    def test_it_reads_what_to_do_with_times_in_the_spring_gap(self):
        mapping = parse(MINIMAL_TICKETS + '[dates]\nnonexistent = "shift_forward"\n')
        assert mapping.nonexistent == "shift_forward"

    def test_it_reads_several_columns_for_one_field(self):
        mapping = parse(MINIMAL_EVENTS.replace('status = "State"', 'status = ["A", "B"]'))
        assert mapping.columns["status"] == ("A", "B")
        assert mapping.source_columns == {"Ref", "When", "A", "B"}

    def test_it_folds_value_map_keys(self):
        mapping = parse(
            MINIMAL_EVENTS + '[values.status]\n"  Waiting  For Customer" = "awaiting_customer"\n'
        )
        assert mapping.values["status"] == {"waiting for customer": "awaiting_customer"}

    def test_it_accepts_event_as_an_alias_of_activity(self):
        text = MINIMAL_EVENTS + 'event = "What"\n'
        assert parse(text).columns["activity"] == ("What",)

    def test_it_accepts_a_tab_delimiter(self):
        assert parse(MINIMAL_TICKETS + '[file]\ndelimiter = "\\\\t"\n').delimiter == "\t"

    def test_it_takes_the_reference_from_grouping_by(self):
        text = MINIMAL_EVENTS.replace('reference = "Ref"\n', "") + '[grouping]\nby = "Ref"\n'
        assert parse(text).columns["reference"] == ("Ref",)

    @pytest.mark.parametrize(
        ("text", "key"),
        [
            ('shape = "row"\n[columns]\nreference = "R"\n', "shape"),
            ('shap = "ticket"\n', "shap"),
            ('shape = "ticket"\n', "[columns]"),
            ('shape = "ticket"\n[columns]\nreference = "R"\n', "[columns].opened_at"),
            (MINIMAL_TICKETS + 'colour = "C"\n', "[columns].colour"),
            (MINIMAL_TICKETS + "summary = 3\n", "[columns].summary"),
            (MINIMAL_TICKETS + '[dates]\ntimezone = "Europe/Londres"\n', "[dates].timezone"),
            (MINIMAL_TICKETS + '[dates]\nformats = ["dd/mm/yyyy"]\n', "[dates].formats"),
            (MINIMAL_TICKETS + '[dates]\nambiguous = "first"\n', "[dates].ambiguous"),
            (MINIMAL_TICKETS + '[dates]\nnonexistent = "later"\n', "[dates].nonexistent"),
            (MINIMAL_TICKETS + '[dates]\nzone = "UTC"\n', "[dates].zone"),
            (MINIMAL_TICKETS + '[values.status]\nOpen = "open"\n', "[values.status] 'Open'"),
            (MINIMAL_TICKETS + '[values.priority]\nHigh = "P5"\n', "[values.priority] 'High'"),
            (MINIMAL_TICKETS + '[values.kind]\nProblem = "problem"\n', "[values.kind]"),
            (MINIMAL_TICKETS + '[values.colour]\nRed = "red"\n', "[values.colour]"),
            (MINIMAL_TICKETS + '[file]\ndelimiter = ";;"\n', "[file].delimiter"),
            (MINIMAL_TICKETS + '[file]\nencoding = "klingon"\n', "[file].encoding"),
            (MINIMAL_TICKETS + 'null_markers = "NULL"\n', "null_markers"),
            (MINIMAL_TICKETS + '[defaults]\nkind = "problem"\n', "[defaults].kind"),
            (MINIMAL_TICKETS + '[defaults]\nopened_at = "2024-01-01"\n', "[defaults].opened_at"),
            (MINIMAL_EVENTS + '[grouping]\norder_by = ["sequence"]\n', "[grouping].order_by"),
            (MINIMAL_EVENTS + 'resolved_at = "Fixed"\n', "[columns].resolved_at"),
            (MINIMAL_EVENTS + 'closed_at = "Shut"\n', "[columns].closed_at"),
            (MINIMAL_EVENTS + '[grouping]\norder_by = ["time"]\n', "[grouping].order_by"),
            (MINIMAL_EVENTS + '[grouping]\ncontiguous = "yes"\n', "[grouping].contiguous"),
            (MINIMAL_EVENTS + "[grouping]\nspill_buckets = 0\n", "[grouping].spill_buckets"),
            (MINIMAL_EVENTS + '[grouping]\nhistory = "activity"\n', "[columns].activity"),
            (MINIMAL_EVENTS + '[grouping]\nby = "Other"\n', "[grouping].by"),
            (MINIMAL_EVENTS.replace('status = "State"\n', ""), "[columns].status"),
        ],
    )
    def test_it_refuses_a_bad_mapping_naming_the_key(self, text, key):
        message = refused(text)
        assert message.startswith("test.toml: ")
        assert key in message

    def test_it_requires_an_activity_map_for_activity_history(self):
        text = MINIMAL_EVENTS + 'activity = "What"\n[grouping]\nhistory = "activity"\n'
        assert "[values.activity]" in refused(text)

    def test_it_explains_invalid_toml(self, tmp_path: Path):
        path = tmp_path / "broken.toml"
        path.write_text('shape = "ticket\n')
        with pytest.raises(MappingError, match=r"broken\.toml: not valid TOML"):
            load_mapping(path)

    def test_it_loads_a_preset_by_name_and_a_file_by_path(self, tmp_path: Path):
        assert load_mapping("bpic2013").shape == "event"
        path = tmp_path / "ours.toml"
        path.write_text(MINIMAL_TICKETS)
        assert load_mapping(path).name == "ours"
        assert load_mapping(str(path)).source == str(path)

    def test_it_names_the_presets_when_one_is_unknown(self):
        with pytest.raises(MappingError, match="no preset called 'servicenow'.*bpic2013"):
            load_mapping("servicenow")

    def test_it_refuses_a_missing_file(self, tmp_path: Path):
        with pytest.raises(MappingError, match="does not exist"):
            load_mapping(tmp_path / "nowhere.toml")

    def test_it_uses_the_same_vocabulary_as_the_models(self):
        assert mapping_module.STATUSES == tuple(choices.Status.values)
        assert mapping_module.KINDS == tuple(choices.Kind.values)
        assert mapping_module.PRIORITIES == tuple(choices.Priority.values)
        assert mapping_module.CHANNELS == tuple(choices.Channel.values)
        assert mapping_module.EVENT_KINDS == tuple(choices.EventKind.values)
