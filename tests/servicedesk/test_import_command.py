"""``manage.py import_tickets`` (summary, refusals, exit codes) and the DMT's upload page."""

from __future__ import annotations

import gzip
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hackperf.roles import Role
from servicedesk.import_views import NEED_MAPPING_FILE
from servicedesk.importers.mapping import PRESETS_DIR
from servicedesk.models import Queue, Ticket, TicketEvent
from tests.servicedesk.test_import_writer import BAD, V1, write


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


@pytest.mark.django_db
class ImportPageTests:
    url = "/queues/import/"

    def post(self, client, tmp_path, text: str, **data):
        path = write(tmp_path, text)
        with path.open("rb") as export:
            return client.post(self.url, {"export": export, "mapping": "bpic2013", **data})

    def test_it_shows_the_dmt_the_form(self, client_as):
        response = client_as(Role.DMT).get(self.url)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'enctype="multipart/form-data"' in body
        assert "BPI Challenge 2013" in body
        assert "Custom mapping" in body

    @pytest.mark.parametrize("role", [Role.QUEUE_OWNER, Role.SERVICE_DESK_AGENT, Role.IG_OFFICER])
    def test_it_refuses_everyone_else(self, client_as, tmp_path, role):
        client = client_as(role)
        assert client.get(self.url).status_code == 403
        assert self.post(client, tmp_path, V1).status_code == 403
        assert Ticket.objects.count() == 0

    def test_it_imports_an_upload_and_shows_the_summary(self, client_as, tmp_path):
        response = self.post(client_as(Role.DMT), tmp_path, V1)
        assert response.status_code == 200
        summary = response.context["summary"]
        assert (summary.created, summary.events_added) == (2, 10)
        assert "export.csv imported" in response.content.decode()
        assert Ticket.objects.count() == 2

    def test_it_dry_runs_an_upload(self, client_as, tmp_path):
        response = self.post(client_as(Role.DMT), tmp_path, V1, dry_run="on")
        assert response.context["summary"].created == 2
        assert "nothing was written" in response.content.decode()
        assert Ticket.objects.count() == 0

    def test_it_lists_every_bad_row_and_writes_nothing(self, client_as, tmp_path):
        response = self.post(client_as(Role.DMT), tmp_path, BAD)
        assert response.status_code == 400
        body = response.content.decode()
        assert "3 bad rows" in body
        assert [e.line for e in response.context["shown_errors"]] == [3, 4, 5]
        assert "Accepted/Daydreaming" in body
        assert (Ticket.objects.count(), Queue.objects.count()) == (0, 0)

    def test_it_takes_a_custom_mapping(self, client_as, tmp_path):
        mapping = tmp_path / "mine.toml"
        mapping.write_text((PRESETS_DIR / "bpic2013.toml").read_text())
        with mapping.open("rb") as toml:
            response = self.post(
                client_as(Role.DMT), tmp_path, V1, mapping="custom", mapping_file=toml
            )
        assert response.status_code == 200
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
        assert Ticket.objects.count() == 0

    def test_it_asks_for_the_custom_mapping_file(self, client_as, tmp_path):
        response = self.post(client_as(Role.DMT), tmp_path, V1, mapping="custom")
        assert response.context["form"].errors["mapping_file"] == [NEED_MAPPING_FILE]

    def test_it_refuses_an_unreadable_gzip_upload(self, client_as, tmp_path):
        path = tmp_path / "export.csv.gz"
        path.write_bytes(gzip.compress(V1.encode())[:-12])
        with path.open("rb") as export:
            response = client_as(Role.DMT).post(self.url, {"export": export, "mapping": "bpic2013"})
        errors = response.context["form"].errors["export"]
        assert errors[0].startswith("cannot read export.csv.gz")
        assert Ticket.objects.count() == 0
