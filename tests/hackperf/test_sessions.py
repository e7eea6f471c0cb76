"""hackperf.sessions reads a session as Django's database sessions do: the same data, an
expired or unknown key refused and forgotten, one query."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from hackperf.sessions import SessionStore


@pytest.fixture
def saved(db):
    store = DjangoStore()
    store["who"] = "Ada & co"
    store["n"] = 3
    store.save()
    return store.session_key


def test_it_reads_what_django_wrote(saved, django_assert_num_queries):
    ours = SessionStore(saved)
    with django_assert_num_queries(1):
        read = dict(ours.items())
    assert read == dict(DjangoStore(saved).items()) == {"who": "Ada & co", "n": 3}
    assert ours.session_key == saved


@pytest.mark.parametrize("key", ["unknown-key-12345", "expired"])
def test_an_unknown_or_expired_key_starts_afresh(saved, key):
    if key == "expired":
        Session.objects.filter(pk=saved).update(expire_date=timezone.now() - timedelta(seconds=1))
        key = saved
    ours, djangos = SessionStore(key), DjangoStore(key)
    assert dict(ours.items()) == dict(djangos.items()) == {}
    assert ours.session_key is None and djangos.session_key is None


def test_no_key_and_a_round_trip(db):
    ours = SessionStore()
    assert dict(ours.items()) == {}
    ours["x"] = 1
    ours.save()
    assert dict(SessionStore(ours.session_key).items()) == {"x": 1}
