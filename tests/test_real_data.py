"""Tests that read ../shared/data/real fail, never skip, where it is missing (CI has it)."""

from pathlib import Path

import pytest

from tests.conftest import MISSING_REAL_DATA, REAL_DATA, require_real_data


class RealDataTests:
    def test_a_missing_folder_fails_the_test_with_its_path(self, tmp_path: Path) -> None:
        missing = tmp_path / "shared" / "data" / "real"
        with pytest.raises(pytest.fail.Exception) as failed:
            require_real_data(missing)
        assert str(failed.value) == MISSING_REAL_DATA.format(path=missing)

    def test_the_folder_beside_the_clone_is_there(self, real_data: Path) -> None:
        assert real_data == REAL_DATA
        assert (real_data / "uci-incident-event-log" / "README.md").is_file()

    def test_no_test_skips_for_want_of_it(self) -> None:
        tests = Path(__file__).parent
        offenders = [
            str(path.relative_to(tests))
            for path in tests.rglob("*.py")
            if path.name != "test_real_data.py"
            and "skipif(not REAL" in path.read_text(encoding="utf-8")
        ]
        assert offenders == []
