"""import_cases: the TOML mapping, the reader's row errors, all-or-nothing, idempotence."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hackperf.importing.mapping import MappingError
from infogov import importers
from infogov.choices import Kind, Outcome, Status
from infogov.models import Case, ClockEvent, DueDateChange, Requester
from tests.infogov.factories import DirectorateFactory, ServiceFactory

DATA = Path(__file__).resolve().parent / "data"
EXPORT = DATA / "generic_case_export.csv"
NEWER = DATA / "generic_case_export_newer.csv"
BAD = DATA / "generic_case_export_bad.csv"
PRESET = "generic_case_export"


@pytest.fixture
def reference_data(db):
    housing = DirectorateFactory(name="Housing")
    finance = DirectorateFactory(name="Finance")
    ServiceFactory(directorate=housing, name="Housing Needs")
    ServiceFactory(directorate=finance, name="Revenues")


def run(path, *extra):
    call_command("import_cases", str(path), "--mapping", PRESET, *extra)


def snapshot():
    """Everything an import may write, to compare before and after."""
    return (
        list(Case.objects.order_by("pk").values()),
        list(ClockEvent.objects.order_by("pk").values("case_id", "kind", "date")),
        list(DueDateChange.objects.order_by("pk").values("case_id", "old", "new")),
        Requester.objects.count(),
    )


CASE_COLUMNS = """
[columns]
reference = "a"
kind = "b"
received = "r"
subject = "c"
directorate = "d"
channel = "e"
"""


class MappingTests:
    def test_the_preset_loads(self):
        mapping = importers.load_mapping(PRESET)
        assert mapping.columns["reference"] == "Case Reference"
        assert mapping.values["kind"]["subject access request"] == Kind.SAR

    def test_it_names_the_key_at_fault(self):
        with pytest.raises(MappingError, match=r"\[columns\]\.received: is required"):
            importers.parse_mapping(
                {"columns": {"reference": "a", "kind": "b", "subject": "c", "directorate": "d"}}
            )
        with pytest.raises(MappingError, match=r"\[values.kind\] 'Petition'"):
            importers.parse_mapping(
                {
                    "columns": {
                        "reference": "a",
                        "kind": "b",
                        "received": "r",
                        "subject": "c",
                        "directorate": "d",
                        "channel": "e",
                    },
                    "values": {"kind": {"Petition": "petition"}},
                }
            )
        with pytest.raises(MappingError, match="no preset called 'nope'"):
            importers.load_mapping("nope")

    @pytest.mark.parametrize(
        ("extra", "key", "why"),
        [
            ('colour = "red"\n', "colour", "unknown key"),
            ('[dates]\nzone = "UTC"\n', "[dates].zone", "unknown key"),
            ('[dates]\ntimezone = "Europe/Londres"\n', "[dates].timezone", "unknown time zone"),
            ('[dates]\nambiguous = "first"\n', "[dates].ambiguous", 'must be "earlier"'),
            ('[dates]\nnonexistent = "later"\n', "[dates].nonexistent", 'must be "error"'),
            ('[dates]\nformats = ["dd/mm/yyyy"]\n', "[dates].formats", "strptime"),
            ('[file]\nquote = "\'"\n', "[file].quote", "unknown key"),
            ('[values.kind]\nPetition = "petition"\n', "[values.kind] 'Petition'", "not one of"),
        ],
    )
    def test_it_refuses_what_a_ticket_mapping_refuses_with_the_same_message(self, extra, key, why):
        """The two imports share one validator (hackperf.importing.mapping): a case mapping is
        no longer let through with an unknown key or a bad [dates] section."""
        import tomllib

        from servicedesk.importers.mapping import parse_mapping as parse_ticket_mapping

        case = extra + CASE_COLUMNS
        ticket = f'shape = "ticket"\n{extra}[columns]\nreference = "R"\nopened_at = "O"\n'
        with pytest.raises(MappingError) as case_error:
            importers.parse_mapping(tomllib.loads(case), source="cases.toml")
        message = str(case_error.value)
        assert message.startswith(f"cases.toml: {key}: ")
        assert why in message
        if not key.startswith(("[dates]", "[file]")):
            return  # the rest of the message lists each app's own keys or kinds
        with pytest.raises(MappingError) as ticket_error:
            parse_ticket_mapping(tomllib.loads(ticket), source="cases.toml")
        assert str(ticket_error.value) == message

    def test_it_accepts_a_dates_section_with_a_time_zone_and_dst_policy(self):
        import tomllib

        extra = '[dates]\nformats = "%d/%m/%Y"\ntimezone = "Europe/London"\nambiguous = "later"\n'
        mapping = importers.parse_mapping(tomllib.loads(extra + CASE_COLUMNS), source="c.toml")
        assert mapping.date_formats == ("%d/%m/%Y",)


class ReaderTests:
    def test_it_reads_the_sample_into_records(self):
        errors: list[importers.RowError] = []
        records = list(
            importers.read_records(EXPORT, importers.load_mapping(PRESET), errors=errors)
        )
        assert errors == []
        assert [r.reference for r in records][:2] == ["FOI-2025-00101", "FOI-2025-00102"]
        first, second = records[0], records[1]
        assert (first.kind, first.received, first.channel) == (
            Kind.FOI,
            date(2025, 1, 6),
            "web_form",
        )
        assert (first.responded, first.outcome) == (date(2025, 1, 20), Outcome.SUPPLIED_IN_FULL)
        assert second.requester_email == ""  # "n/a" is a null marker
        withdrawn = records[4]
        assert (withdrawn.withdrawn, withdrawn.outcome) == (date(2025, 1, 15), Outcome.WITHDRAWN)
        assert records[5].channel == "email"  # NULL, so the default

    def test_it_reports_every_bad_row_with_its_line_and_reason(self):
        errors: list[importers.RowError] = []
        records = list(importers.read_records(BAD, importers.load_mapping(PRESET), errors=errors))
        by_line = {e.line: e.reason for e in errors}
        assert "kind 'Petition' is not in the mapping" in by_line[3]
        assert "received '31/02/2025' is not a date" in by_line[4]
        assert "responded (2025-01-01) is before the date received" in by_line[5]
        assert "reference 'FOI-2025-00201' is also on line 2" in by_line[7]
        assert sorted(by_line) == [3, 4, 5, 7]
        # Rows 2, 6 and 8 are well formed; the database refuses 6 and 8 (see below).
        assert [r.line for r in records] == [2, 6, 8]

    def test_it_refuses_a_file_without_a_mapped_column(self, tmp_path):
        path = tmp_path / "export.csv"
        path.write_text("Case Reference,Summary\nX,Y\n")
        errors: list[importers.RowError] = []
        assert (
            list(importers.read_records(path, importers.load_mapping(PRESET), errors=errors)) == []
        )
        assert errors[0].line == 1 and "the header has no column" in errors[0].reason


@pytest.mark.django_db
class ImportCasesCommandTests:
    def test_it_imports_the_sample_with_due_dates_and_their_working(self, reference_data, capsys):
        run(EXPORT)
        assert "6 created, 0 updated, 0 unchanged." in capsys.readouterr().out
        first = Case.objects.get(reference="FOI-2025-00101")
        assert (first.due, first.status, first.responded) == (
            date(2025, 2, 3),
            Status.RESPONDED,
            date(2025, 1, 20),
        )
        assert first.due_working[0].startswith("Due Mon 3 Feb 2025")
        assert first.requester.name == "Ada Quill"
        assert Case.objects.get(reference="FOI-2025-00103").status == Status.WITHDRAWN
        closed = Case.objects.get(reference="FOI-2025-00104")
        # The export's typed exemptions become the list's (nothing left over here).
        assert (closed.status, closed.exemption_codes, closed.exemptions) == (
            Status.CLOSED,
            ["s31", "s40"],
            "",
        )
        assert Case.objects.get(reference="SAR-2025-00011").due == date(2025, 2, 13)

    def test_a_dry_run_writes_nothing(self, reference_data, capsys):
        run(EXPORT, "--dry-run")
        assert "Dry run, nothing written: 6 to create" in capsys.readouterr().out
        assert Case.objects.count() == 0

    def test_it_is_all_or_nothing_and_reports_every_bad_row(self, reference_data, capsys):
        with pytest.raises(CommandError, match="6 bad rows: nothing imported"):
            run(BAD)
        err = capsys.readouterr().err
        for line in (3, 4, 5, 6, 7, 8):
            assert f"generic_case_export_bad.csv: line {line}: " in err
        assert "line 6: unknown directorate 'Parks'" in err
        assert "line 8: exemptions: Enter the exemptions cited" in err
        assert "line 2:" not in err
        assert Case.objects.count() == 0 and Requester.objects.count() == 0

    def test_a_reimport_changes_nothing(self, reference_data, capsys):
        run(EXPORT)
        before = snapshot()
        capsys.readouterr()
        run(EXPORT)
        assert "0 created, 0 updated, 6 unchanged." in capsys.readouterr().out
        assert snapshot() == before

    def test_a_newer_export_moves_cases_on(self, reference_data, capsys):
        run(EXPORT)
        run(NEWER)
        assert "1 created, 2 updated, 4 unchanged." in capsys.readouterr().out.splitlines()[-1]
        assert Case.objects.get(reference="FOI-2025-00101").status == Status.CLOSED
        answered = Case.objects.get(reference="FOI-2025-00102")
        assert (answered.status, answered.responded, answered.outcome) == (
            Status.RESPONDED,
            date(2025, 2, 10),
            Outcome.SUPPLIED_IN_PART,
        )
        assert answered.events.filter(kind="responded").count() == 1
        assert Case.objects.get(reference="FOI-2025-00105").kind == Kind.EIR
        before = snapshot()
        run(NEWER)
        assert snapshot() == before

    def test_it_never_reopens_a_case(self, reference_data, capsys, tmp_path):
        run(NEWER)
        older = tmp_path / "older.csv"
        older.write_text(EXPORT.read_text())
        with pytest.raises(CommandError, match="1 bad row"):
            run(older)
        assert "the export has the case open, but it is responded here" in capsys.readouterr().err

    def test_it_refuses_an_unknown_preset(self, reference_data):
        with pytest.raises(CommandError, match="no preset called"):
            call_command("import_cases", str(EXPORT), "--mapping", "nope")


HEADER = EXPORT.read_text().splitlines()[0]
GOOD_ROW = "FOI-2025-00901,FOI,06/01/2025,Email,{subject},Housing,Housing Needs,Open,,,,,Ada Quill,"


def export_with(tmp_path, *rows: str) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
class CaseValidationTests:
    """The ticket import's rules for a row: refused, never quietly changed."""

    def read(self, path) -> list[importers.RowError]:
        errors: list[importers.RowError] = []
        list(importers.read_records(path, importers.load_mapping(PRESET), errors=errors))
        return errors

    def test_an_extra_field_is_a_row_error(self, tmp_path):
        (error,) = self.read(export_with(tmp_path, GOOD_ROW.format(subject="A") + ",surprise"))
        assert (error.line, error.reason) == (
            2,
            importers.ERR_WIDTH.format(got=15, want=14),
        )

    def test_a_missing_field_is_a_row_error(self, tmp_path):
        short = GOOD_ROW.format(subject="A").rsplit(",", 2)[0]
        (error,) = self.read(export_with(tmp_path, short))
        assert error.reason == importers.ERR_WIDTH.format(got=12, want=14)

    def test_a_subject_too_long_is_refused_not_cut(self, tmp_path):
        (error,) = self.read(export_with(tmp_path, GOOD_ROW.format(subject="x" * 200_000)))
        assert error.reason == importers.ERR_TOO_LONG.format(
            field="subject", length=200_000, limit=300
        )
        # The column, not the value: a subject is personal data, and runs are the DMT's.
        assert (error.column, error.value) == ("Summary", None)

    def test_a_nul_byte_is_a_row_error(self, tmp_path):
        (error,) = self.read(export_with(tmp_path, GOOD_ROW.format(subject="a\x00b")))
        assert error.reason == importers.ERR_NUL.format(field="subject")

    def test_a_requester_email_that_is_not_one_is_refused(self, reference_data, tmp_path):
        row = GOOD_ROW.format(subject="A") + "x@y.example\nBcc: z@y.example"
        path = export_with(tmp_path, row.replace("\n", " "))
        with pytest.raises(CommandError, match="1 bad row"):
            run(path)
        assert Case.objects.count() == 0

    def test_a_refused_file_writes_nothing_at_all(self, reference_data, table_writes):
        # Row 2 is good and used to be written (and rolled back) before row 6 was refused.
        before = table_writes(Case, Requester, ClockEvent, DueDateChange)
        with pytest.raises(CommandError):
            run(BAD)
        assert table_writes(Case, Requester, ClockEvent, DueDateChange) == before

    def test_a_dry_run_writes_nothing_at_all(self, reference_data, table_writes, capsys):
        before = table_writes(Case, Requester, ClockEvent, DueDateChange)
        run(EXPORT, "--dry-run")
        assert "6 to create" in capsys.readouterr().out
        assert table_writes(Case, Requester, ClockEvent, DueDateChange) == before

    def test_a_dry_run_of_a_newer_export_counts_like_the_import(self, reference_data, capsys):
        run(EXPORT)
        capsys.readouterr()
        run(NEWER, "--dry-run")
        assert "1 to create, 2 to update, 4 unchanged" in capsys.readouterr().out

    def test_each_run_is_recorded(self, reference_data):
        from hackperf.choices import ImportKind, ImportState
        from hackperf.models import ImportRun

        run(EXPORT)
        record = ImportRun.objects.get()
        assert (record.kind, record.state, record.items, record.created) == (
            ImportKind.CASES,
            ImportState.SUCCEEDED,
            6,
            6,
        )
        assert record.mapping_preset == PRESET and record.file_name == EXPORT.name


@pytest.mark.django_db
class CaseImportPageTests:
    url = "/information-governance/import/"

    def test_the_dmt_uploads_a_file_and_sees_the_outcome(
        self, reference_data, client_as, import_root, django_capture_on_commit_callbacks
    ):
        from hackperf.models import ImportRun
        from hackperf.roles import Role
        from infogov.tasks import cases_import_run

        client = client_as(Role.DMT)
        assert "Generic case-management export" in client.get(self.url).content.decode()
        with django_capture_on_commit_callbacks(execute=False) as callbacks, BAD.open("rb") as f:
            response = client.post(self.url, {"export": f, "mapping": PRESET})
        record = ImportRun.objects.get()
        assert response["Location"] == f"/imports/{record.pk}/"
        assert len(callbacks) == 1
        cases_import_run.run(record.pk)
        body = client.get(response["Location"]).content.decode()
        assert "6 bad rows" in body
        assert "unknown directorate &#x27;Parks&#x27;" in body
        assert Case.objects.count() == 0

    @pytest.mark.parametrize("role", ["queue_owner", "ig_officer", "director", "briefing_viewer"])
    def test_everyone_else_is_refused(self, client_as, role, import_root):
        from hackperf.roles import Role

        client = client_as(Role(role))
        assert client.get(self.url).status_code == 403
        with EXPORT.open("rb") as f:
            assert client.post(self.url, {"export": f, "mapping": PRESET}).status_code == 403
