"""``manage.py deadline``: DESIGN.md's examples through the command, and its errors."""

import pytest
from django.core.management import CommandError, call_command


def deadline(*args: str, capsys) -> list[str]:
    call_command("deadline", *args)
    return capsys.readouterr().out.splitlines()


@pytest.mark.django_db
class DeadlineCommandTests:
    @pytest.mark.parametrize(
        ("args", "due"),
        [
            (("foi", "2021-02-15"), "2021-03-15"),
            (("foi", "2016-12-01"), "2017-01-04"),
            (("foi", "2022-05-20"), "2022-06-21"),
            (("foi", "2022-09-05"), "2022-10-04"),
            (("foi", "2022-12-24"), "2023-01-26"),
            (("sar", "2024-09-03"), "2024-10-03"),
            (("sar", "2024-11-25"), "2024-12-27"),
            (("sar", "2024-01-31"), "2024-02-29"),
            (("sar", "2026-01-31"), "2026-03-02"),
            (("sar", "2022-10-03", "--extended"), "2023-01-03"),
            (("sar", "2017-01-09"), "2017-02-17"),
        ],
    )
    def test_the_first_line_is_the_due_date(self, capsys, args, due):
        assert deadline(*args, capsys=capsys)[0] == due

    def test_explain_prints_the_working(self, capsys):
        lines = deadline("foi", "2016-12-01", "--explain", capsys=capsys)
        assert lines[0] == "2017-01-04"
        assert any("FOIA s.10" in line for line in lines[1:])
        assert any("3 Jan 2017" in line and "scotland" in line for line in lines[1:])

    def test_clock_events_move_the_date(self, capsys):
        plain = deadline("foi", "2021-02-15", capsys=capsys)[0]
        clarified = deadline(
            "foi",
            "2021-02-15",
            "--clarification-requested",
            "2021-02-16",
            "--clarified",
            "2021-02-22",
            capsys=capsys,
        )[0]
        assert clarified > plain

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("foi", "2021-02-30"), "RECEIVED: '2021-02-30' is not a date"),
            (("foi", "2021-02-15", "--fee-notice", "yesterday"), "--fee-notice: 'yesterday'"),
            (
                ("foi", "2021-01-05", "--fee-notice", "2021-01-10", "--fee-paid", "2021-01-08"),
                "--fee-paid (2021-01-08) is before --fee-notice (2021-01-10)",
            ),
            (("foi", "2021-01-05", "--id-received", "2021-01-08"), "--id-received does not apply"),
        ],
    )
    def test_bad_input_names_the_argument(self, args, message):
        with pytest.raises(CommandError) as error:
            call_command("deadline", *args)
        assert message in str(error.value)
