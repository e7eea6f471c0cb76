"""``manage.py import_tickets`` (summary, refusals, exit codes) and the DMT's upload page."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hackperf.choices import ImportKind, ImportState
from hackperf.import_views import NEED_MAPPING_FILE
from hackperf.models import ImportRun
from hackperf.roles import Role
from hackperf.tables import ImportRunTable
from servicedesk.importers.mapping import PRESETS_DIR
from servicedesk.models import Queue, Ticket, TicketEvent
from servicedesk.tasks import tickets_import_run
from tests.servicedesk.test_import_writer import BAD, V1, write
from tests.tables import sortable_columns


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_tickets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
class ImportTicketsCommandTests:
    def test_it_prints_a_summary(self, tmp_path):
        out, err = run(str(write(tmp_path, V1)), "--mapping", "bpic2013")
        assert "Rows read: 6" in out
        assert "Tickets: 2 (2 created, 0 updated, 0 unchanged)" in out
        assert "Events added: 10" in out
        assert "rows/s" in out
        # Not on a terminal: a plain progress line at the end of each pass, nothing else.
        assert [line.split(":")[0] for line in err.splitlines()] == [
            "Checking every row",
            "Writing",
        ]
        assert "6 of 6 rows (100%)" in err
        assert Ticket.objects.count() == 2

    def test_it_reports_unchanged_tickets_on_a_second_run(self, tmp_path):
        path = str(write(tmp_path, V1))
        run(path, "--mapping", "bpic2013")
        out, _ = run(path, "--mapping", "bpic2013")
        assert "Tickets: 2 (0 created, 0 updated, 2 unchanged)" in out
        assert "Events added: 0" in out

    def test_it_writes_nothing_on_a_dry_run(self, tmp_path):
        out, _ = run(str(write(tmp_path, V1)), "--mapping", "bpic2013", "--dry-run")
        assert "2 created" in out
        assert "Dry run: nothing was written." in out
        assert Ticket.objects.count() == 0

    def test_it_prints_every_bad_row_and_fails(self, tmp_path):
        with pytest.raises(CommandError, match="3 bad row"):
            run(str(write(tmp_path, BAD)), "--mapping", "bpic2013")
        assert (Ticket.objects.count(), TicketEvent.objects.count(), Queue.objects.count()) == (
            0,
            0,
            0,
        )

    def test_it_lists_the_first_thousand_bad_rows_and_counts_the_rest(self, tmp_path):
        from tests.servicedesk.test_import_writer import HEADER

        rows = "".join(
            f"X-{i},never,Accepted,In Progress,V30,Ann,Medium,PROD1,Org A\n" for i in range(1200)
        )
        err = StringIO()
        with pytest.raises(CommandError, match="1,200 bad row"):
            call_command(
                "import_tickets",
                str(write(tmp_path, HEADER + rows)),
                mapping="bpic2013",
                stdout=StringIO(),
                stderr=err,
            )
        # Bad rows, then the count of the rest; progress lines ("Checking every row …") aside.
        lines = [line for line in err.getvalue().splitlines() if not line.startswith("Checking")]
        assert len(lines) == 1001
        assert lines[0].startswith("line 2, column 'Change Date+Time' = 'never'")
        assert lines[-1] == "... and 200 more (the first 1,000 are listed)"

    def test_it_lists_the_bad_rows_on_stderr(self, tmp_path):
        err = StringIO()
        with pytest.raises(CommandError):
            call_command(
                "import_tickets",
                str(write(tmp_path, BAD)),
                "--mapping",
                "bpic2013",
                stdout=StringIO(),
                stderr=err,
            )
        lines = [line for line in err.getvalue().splitlines() if not line.startswith("Checking")]
        assert lines[0].startswith("line 3, column 'Change Date+Time' = 'yesterday': ")
        assert [line.split(":")[0].split(",")[0] for line in lines] == [
            "line 3",
            "line 4",
            "line 5",
        ]

    def test_it_refuses_a_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match="no such file"):
            run(str(tmp_path / "nope.csv"), "--mapping", "bpic2013")

    def test_it_refuses_a_bad_mapping(self, tmp_path):
        path = str(write(tmp_path, V1))
        with pytest.raises(CommandError, match="no preset called 'volvo'"):
            run(path, "--mapping", "volvo")
        bad = tmp_path / "mine.toml"
        bad.write_text('shape = "sideways"\n[columns]\nreference = "Ref"\n')
        with pytest.raises(CommandError, match=r"mine.toml: shape: must be"):
            run(path, "--mapping", str(bad))

    def test_it_refuses_an_unreadable_gzip_file(self, tmp_path):
        path = tmp_path / "export.csv.gz"
        path.write_bytes(gzip.compress(V1.encode())[:-12])
        with pytest.raises(CommandError, match="cannot read"):
            run(str(path), "--mapping", "bpic2013")
        assert Ticket.objects.count() == 0

    def test_it_exits_non_zero_from_the_shell(self, tmp_path):
        import subprocess
        import sys

        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "import_tickets",
                str(tmp_path / "x.csv"),
                "--mapping",
                "bpic2013",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert "no such file" in result.stderr


NOT_DMT = [role for role in Role if role != Role.DMT]
"""Every role but the DMT, the one that imports."""


def queued_run() -> ImportRun:
    return ImportRun.objects.get()


@pytest.mark.django_db
class ImportPageTests:
    """The upload page stores the file and queues the job; the progress page shows the end."""

    url = "/queues/import/"

    @pytest.fixture(autouse=True)
    def _root(self, import_root):
        self.root = import_root

    def post(self, client, tmp_path, text: str, capture=None, **data):
        path = write(tmp_path, text)
        with path.open("rb") as export:
            return client.post(self.url, {"export": export, "mapping": "bpic2013", **data})

    def running(self, client, tmp_path, *, since) -> ImportRun:
        """An upload of V1 that a worker took up at ``since`` (and has not finished)."""
        self.post(client, tmp_path, V1)
        run = queued_run()
        ImportRun.objects.filter(pk=run.pk).update(
            state=ImportState.RUNNING, attempts=1, started_at=since
        )
        return run

    def upload_and_run(self, client, tmp_path, text, django_capture_on_commit_callbacks, **data):
        """Upload, check the task was queued on commit, then run it as the worker would."""
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = self.post(client, tmp_path, text, **data)
        assert response.status_code == 302, response.content[:500]
        run = queued_run()
        assert response["Location"] == f"/imports/{run.pk}/"
        assert len(callbacks) == 1  # tickets_import_run.delay_on_commit(run.pk)
        tickets_import_run.run(run.pk)
        return client.get(response["Location"])

    def test_it_shows_the_dmt_the_form(self, client_as):
        response = client_as(Role.DMT).get(self.url)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'enctype="multipart/form-data"' in body
        assert "BPI Challenge 2013" in body
        assert "Custom mapping" in body

    @pytest.mark.parametrize("role", NOT_DMT)
    def test_it_refuses_everyone_else(self, client_as, tmp_path, role):
        client = client_as(role)
        assert client.get(self.url).status_code == 403
        assert self.post(client, tmp_path, V1).status_code == 403
        assert (Ticket.objects.count(), ImportRun.objects.count()) == (0, 0)
        assert not self.root.exists()

    def test_it_sends_anonymous_people_to_sign_in(self, client):
        response = client.get(self.url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")

    def test_it_stores_the_upload_and_queues_it_without_importing(
        self, client_as, tmp_path, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = self.post(
                client_as(Role.DMT, first_name="Dee", last_name="Em"), tmp_path, V1
            )
        run = queued_run()
        assert response.status_code == 302
        assert (run.state, run.kind, run.file_name, run.mapping_preset) == (
            ImportState.QUEUED,
            ImportKind.TICKETS,
            "export.csv",
            "bpic2013",
        )
        assert run.created_by_name == "Dee Em"
        stored = Path(run.stored_path)
        assert stored.is_relative_to(self.root) and stored.read_text() == V1
        assert run.file_size == len(V1.encode())
        assert run.sha256 == hashlib.sha256(V1.encode()).hexdigest()
        assert len(callbacks) == 1
        assert Ticket.objects.count() == 0  # nothing is imported inside the request

    def test_the_progress_page_shows_a_queued_run_and_refreshes_itself(self, client_as, tmp_path):
        client = client_as(Role.DMT)
        self.post(client, tmp_path, V1)
        body = client.get(f"/imports/{queued_run().pk}/").content.decode()
        assert f'hx-get="/imports/{queued_run().pk}/progress/"' in body
        assert 'hx-trigger="every 2s"' in body
        assert "Waiting for a worker" in body

    def test_the_progress_region_shows_rows_read_while_it_runs(self, client_as, tmp_path):
        from django.core.cache import cache
        from django.utils import timezone

        from hackperf.imports import progress_key

        client = client_as(Role.DMT)
        run = self.running(client, tmp_path, since=timezone.now())
        cache.set(
            progress_key(run.pk),
            {"phase": "writing", "rows": 12000, "total": 141712, "share": 0.08, "items": 2100},
        )
        body = client.get(f"/imports/{run.pk}/progress/").content.decode()
        assert "12,000 of 141,712" in body
        assert "2,100" in body
        assert "writing the tickets" in body
        assert 'hx-trigger="every 2s"' in body

    def test_a_stalled_run_says_so(self, client_as, tmp_path):
        from datetime import timedelta

        from django.utils import timezone

        client = client_as(Role.DMT)
        run = self.running(client, tmp_path, since=timezone.now() - timedelta(minutes=30))
        body = client.get(f"/imports/{run.pk}/progress/").content.decode()
        assert 'id="import-stalled"' in body
        assert "its worker has probably stopped" in body

    def test_it_imports_an_upload_and_shows_the_summary(
        self, client_as, tmp_path, django_capture_on_commit_callbacks
    ):
        response = self.upload_and_run(
            client_as(Role.DMT), tmp_path, V1, django_capture_on_commit_callbacks
        )
        body = response.content.decode()
        assert "export.csv imported" in body
        assert "hx-trigger" not in body  # finished: the polling stops
        assert (response.context["run"].created, response.context["run"].items) == (2, 2)
        assert Ticket.objects.count() == 2

    def test_it_dry_runs_an_upload(self, client_as, tmp_path, django_capture_on_commit_callbacks):
        response = self.upload_and_run(
            client_as(Role.DMT), tmp_path, V1, django_capture_on_commit_callbacks, dry_run="on"
        )
        assert response.context["run"].created == 2
        assert "nothing was written" in response.content.decode()
        assert Ticket.objects.count() == 0

    def test_it_lists_every_bad_row_and_writes_nothing(
        self, client_as, tmp_path, django_capture_on_commit_callbacks
    ):
        client = client_as(Role.DMT)
        response = self.upload_and_run(client, tmp_path, BAD, django_capture_on_commit_callbacks)
        body = response.content.decode()
        assert "3 bad rows" in body
        assert [e["line"] for e in response.context["run"].bad_rows] == [3, 4, 5]
        assert "Accepted/Daydreaming" in body
        assert (Ticket.objects.count(), Queue.objects.count()) == (0, 0)
        csv_response = client.get(f"/imports/{queued_run().pk}/bad-rows.csv")
        assert csv_response["Content-Type"].startswith("text/csv")
        lines = b"".join(csv_response.streaming_content).decode().splitlines()
        assert lines[0] == "line,column,value,reason"
        assert lines[1].startswith("3,Change Date+Time,yesterday,")
        assert len(lines) == 4

    def test_it_takes_a_custom_mapping(
        self, client_as, tmp_path, django_capture_on_commit_callbacks
    ):
        mapping = tmp_path / "mine.toml"
        mapping.write_text((PRESETS_DIR / "bpic2013.toml").read_text())
        with mapping.open("rb") as toml:
            self.upload_and_run(
                client_as(Role.DMT),
                tmp_path,
                V1,
                django_capture_on_commit_callbacks,
                mapping="custom",
                mapping_file=toml,
            )
        run = queued_run()
        assert (run.mapping_preset, run.mapping_toml) == ("", mapping.read_text())
        assert Ticket.objects.count() == 2

    def test_it_explains_a_bad_custom_mapping(self, client_as, tmp_path):
        mapping = tmp_path / "mine.toml"
        mapping.write_text('shape = "sideways"\n[columns]\nreference = "Ref"\n')
        with mapping.open("rb") as toml:
            response = self.post(
                client_as(Role.DMT), tmp_path, V1, mapping="custom", mapping_file=toml
            )
        assert response.status_code == 200
        assert response.context["form"].errors["mapping_file"] == [
            'mine.toml: shape: must be "ticket" or "event", got \'sideways\''
        ]
        assert (Ticket.objects.count(), ImportRun.objects.count()) == (0, 0)

    def test_it_asks_for_the_custom_mapping_file(self, client_as, tmp_path):
        response = self.post(client_as(Role.DMT), tmp_path, V1, mapping="custom")
        assert response.context["form"].errors["mapping_file"] == [NEED_MAPPING_FILE]

    def test_it_refuses_an_unreadable_gzip_upload(
        self, client_as, tmp_path, django_capture_on_commit_callbacks
    ):
        path = tmp_path / "export.csv.gz"
        path.write_bytes(gzip.compress(V1.encode())[:-12])
        client = client_as(Role.DMT)
        with django_capture_on_commit_callbacks(execute=False), path.open("rb") as export:
            client.post(self.url, {"export": export, "mapping": "bpic2013"})
        tickets_import_run.run(queued_run().pk)
        run = queued_run()
        assert run.state == ImportState.REFUSED
        assert run.error.startswith("cannot read export.csv.gz")
        assert str(self.root) not in run.error
        body = client.get(f"/imports/{run.pk}/").content.decode()
        assert "export.csv.gz was not imported" in body
        assert Ticket.objects.count() == 0


@pytest.mark.django_db
class ImportRunPageTests:
    """The progress page, its partial, the CSV and the history: the DMT's, and no one else's."""

    @pytest.fixture
    def runs(self, import_root):
        from hackperf.imports import StoredFile, import_run_create

        def make(n: int, kind=ImportKind.TICKETS) -> list[ImportRun]:
            return [
                import_run_create(
                    kind=kind,
                    stored=StoredFile(
                        path=Path(f"/tmp/{i}.csv"), name=f"{i}.csv", size=1, sha256="0" * 64
                    ),
                    mapping_name="BPI Challenge 2013",
                    mapping_preset="bpic2013",
                )
                for i in range(n)
            ]

        return make

    def test_a_bad_rows_value_is_never_a_formula_in_the_download(self, client_as, runs):
        (run,) = runs(1)
        run.bad_rows = [
            {"line": 2, "column": "Summary", "value": '=HYPERLINK("http://x","y")', "reason": "r"},
            {"line": 3, "column": "Opened", "value": "@SUM(A1)", "reason": "-1+1"},
        ]
        run.save(update_fields=["bad_rows"])
        response = client_as(Role.DMT).get(f"/imports/{run.pk}/bad-rows.csv")
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert lines[1:] == [
            '2,Summary,"\'=HYPERLINK(""http://x"",""y"")",r',
            "3,Opened,'@SUM(A1),'-1+1",
        ]

    @pytest.mark.parametrize("role", NOT_DMT)
    def test_everyone_but_the_dmt_is_refused(self, client_as, runs, role):
        (run,) = runs(1)
        client = client_as(role)
        for url in (
            "/imports/",
            f"/imports/{run.pk}/",
            f"/imports/{run.pk}/progress/",
            f"/imports/{run.pk}/bad-rows.csv",
            "/information-governance/import/",
        ):
            assert client.get(url).status_code == 403, url

    def test_anonymous_people_are_sent_to_sign_in(self, client, runs):
        (run,) = runs(1)
        for url in ("/imports/", f"/imports/{run.pk}/", f"/imports/{run.pk}/progress/"):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/sign-in/")

    def test_a_missing_run_is_404(self, client_as):
        assert client_as(Role.DMT).get("/imports/999999/").status_code == 404

    def test_the_history_lists_runs_newest_first(self, client_as, runs):
        made = runs(3)
        response = client_as(Role.DMT).get("/imports/")
        assert response.status_code == 200
        listed = [row.record.pk for row in response.context["table"].page.object_list]
        assert listed == [r.pk for r in reversed(made)]
        assert f'href="/imports/{made[0].pk}/"' in response.content.decode()

    def test_the_history_says_what_each_run_wrote_and_took(self, client_as, runs):
        from datetime import UTC, datetime, timedelta

        refused, done = runs(2)
        began = datetime(2026, 7, 1, 9, 30, 5, 123456, tzinfo=UTC)
        for run_, state in ((refused, ImportState.REFUSED), (done, ImportState.SUCCEEDED)):
            run_.state, run_.items, run_.rows_read = state, 448, 3000
            run_.created_at, run_.started_at = began, began
            run_.finished_at = began + timedelta(seconds=1.9)
            run_.save()
        client = client_as(Role.DMT)
        cells = {
            row.record.pk: {column.name: str(cell) for column, cell in row.items()}
            for row in client.get("/imports/").context["table"].page.object_list
        }
        assert cells[refused.pk]["items"] == "None written"  # it read 448, kept none
        assert cells[done.pk]["items"] == "448"
        assert cells[done.pk]["duration"] == "1.9 s"  # as the run's own page says, not "1 s"
        response = client.get("/imports/?format=csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = {row[1]: row for row in list(csv.reader(io.StringIO(text)))[1:]}
        assert rows["1.csv (tickets)"][0] == "2026-07-01 10:30:05"  # London time, no microseconds
        assert rows["0.csv (tickets)"][5:7] == ["3000", ""]  # numbers as numbers; none written

    def test_the_history_filters_by_kind(self, client_as, runs):
        runs(2)
        (case_run,) = runs(1, kind=ImportKind.CASES)
        response = client_as(Role.DMT).get("/imports/?kind=cases")
        assert [row.record.pk for row in response.context["table"].page.object_list] == [
            case_run.pk
        ]

    @pytest.mark.parametrize("count", [2, 20])
    def test_the_history_makes_a_fixed_number_of_queries(
        self, client_as, runs, django_assert_num_queries, count
    ):
        runs(count)
        client = client_as(Role.DMT)
        client.get("/imports/")
        # session, user, savepoint, the user's permissions (own, then groups'), count,
        # release, the page of runs
        with django_assert_num_queries(8):
            assert client.get("/imports/").status_code == 200

    def test_every_column_sorts(self, client_as, runs):
        runs(3)
        client = client_as(Role.DMT)
        for column in sortable_columns(ImportRunTable):
            for order in (column, f"-{column}"):
                assert client.get(f"/imports/?sort={order}").status_code == 200

    def test_the_progress_page_makes_a_fixed_number_of_queries(
        self, client_as, runs, django_assert_num_queries
    ):
        (run,) = runs(1)
        client = client_as(Role.DMT)
        client.get(f"/imports/{run.pk}/")
        # session, user, savepoint, the run, the user's permissions (own, groups'), release
        with django_assert_num_queries(7):
            client.get(f"/imports/{run.pk}/")
        with django_assert_num_queries(7):
            client.get(f"/imports/{run.pk}/progress/")
