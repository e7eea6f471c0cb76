"""``serial_plans`` plans the block's queries without parallel workers and puts the setting
back after it, inside an outer transaction too."""

import pytest
from django.db import connection, transaction

from hackperf.planning import serial_plans


def workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_block_has_no_parallel_workers_and_the_setting_comes_back():
    before = workers()
    assert before != "0"
    with serial_plans():
        assert workers() == "0"
    assert workers() == before
    with transaction.atomic():
        with serial_plans():
            assert workers() == "0"
        assert workers() == before


@pytest.mark.django_db
def test_an_error_in_the_block_leaves_the_setting_as_it_was():
    before = workers()
    with pytest.raises(ZeroDivisionError), serial_plans():
        1 / 0  # noqa: B018
    assert workers() == before
