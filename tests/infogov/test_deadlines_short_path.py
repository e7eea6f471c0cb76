"""The short path of ``compute_deadline`` (a case with no clock events and no extension)
against the full one, which ``foi_deadline``, ``eir_deadline`` and ``sar_deadline`` take.

Every day from 2012 to 2029, every kind and every reading of the settings: the same due date
and the same working, word for word (``Deadline`` equality compares every field, the working
built on first read included). The full path is itself checked against an independent
counter in ``test_deadlines_properties.py``.
"""

from datetime import date, timedelta

import pytest

from hackperf.workdays import extend_with_fallback, load_bundled_calendar
from infogov.deadlines import (
    Deadline,
    DeadlineSettings,
    compute_deadline,
    eir_deadline,
    foi_deadline,
    sar_deadline,
)

CALENDAR = load_bundled_calendar()
FIRST, LAST = date(2012, 1, 1), date(2029, 12, 31)  # past the feed's years: flags differ
FULL_PATH = {"foi": foi_deadline, "eir": eir_deadline, "sar": sar_deadline}
READINGS = (
    DeadlineSettings(),
    DeadlineSettings(receipt_on_non_working_day="code_s45"),
    DeadlineSettings(eir_counts_all_uk_holidays=False, dpa1998_offset_days=40),
)


def days(step: int = 1):
    day = FIRST
    while day <= LAST:
        yield day
        day += timedelta(days=step)


class ShortPathTests:
    @pytest.mark.parametrize("kind", ["foi", "eir", "sar"])
    @pytest.mark.parametrize("settings", READINGS, ids=["ico", "code_s45", "ew_only"])
    def test_it_gives_the_full_paths_deadline_every_day(self, kind, settings) -> None:
        for day in days():
            short = compute_deadline(kind, day, calendar=CALENDAR, settings=settings)
            full = FULL_PATH[kind](day, calendar=CALENDAR, settings=settings)
            assert short == full, day
            assert short.explain() == full.explain(), day

    def test_it_builds_the_working_only_when_read(self) -> None:
        short = compute_deadline("foi", date(2022, 12, 24), calendar=CALENDAR)
        assert short._working is None
        assert short.due == date(2023, 1, 26)
        assert short._working is None
        assert short.explain() == foi_deadline(date(2022, 12, 24), calendar=CALENDAR).explain()
        assert short._working is not None

    def test_it_agrees_on_a_calendar_with_fallback_years(self) -> None:
        calendar = extend_with_fallback(CALENDAR, range(2012, 2033))
        for day in days(step=5):
            for kind, full_path in FULL_PATH.items():
                short = compute_deadline(kind, day, calendar=calendar)
                assert short == full_path(day, calendar=calendar), (kind, day)

    def test_it_is_read_only(self) -> None:
        deadline = compute_deadline("sar", date(2024, 9, 3), calendar=CALENDAR)
        with pytest.raises(AttributeError):
            deadline.due = date(2024, 9, 4)  # type: ignore[misc]
        assert isinstance(deadline, Deadline)
        assert hash(deadline) == hash(sar_deadline(date(2024, 9, 3), calendar=CALENDAR))
