"""The home page as each person's work, the header search and saved filters (issue 13).

Each role's home page and the search run a fixed number of queries whatever the data size:
measured with 2 records of everything, then asserted with 20.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hackperf.models import SavedFilter
from hackperf.roles import Role
from infogov.choices import Kind, Outcome, Status
from servicedesk import services
from servicedesk.choices import Priority
from tests.hackperf.factories import UserFactory
from tests.infogov.factories import CaseFactory, EscalationFactory, ServiceFactory
from tests.servicedesk.factories import QueueFactory, SlaTargetFactory, log_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {role: UserFactory(username=f"ws-{role.value}", roles=[role]) for role in Role}


@pytest.fixture
def place(people):
    """A queue the queue owner owns, one they do not; a directorate the director directs,
    one they do not."""
    SlaTargetFactory(priority=Priority.P3)
    mine = QueueFactory(name="Desktop", slug="desktop")
    theirs = QueueFactory(name="Networks", slug="networks")
    mine.owners.add(people[Role.QUEUE_OWNER])
    own = ServiceFactory(directorate__name="Children and Education")
    other = ServiceFactory(directorate__name="Adults, Health and Integration")
    own.directorate.directors.add(people[Role.DIRECTOR])
    return {"mine": mine, "theirs": theirs, "own": own, "other": other}


def grow(place, people, n: int, *, start: int = 0) -> None:
    """``n`` more of everything each section lists: tickets assigned to the agent, old and
    reassigned in the owner's queue; open cases due soon, escalated, in both directorates."""
    now = timezone.now()
    agent = people[Role.SERVICE_DESK_AGENT]
    for i in range(start, start + n):
        ticket = log_ticket(
            queue=place["mine"], reference=f"INC-WS-{i:04d}", at=now - timedelta(days=10)
        )
        services.ticket_assign(
            ticket=ticket, actor=agent, at=now - timedelta(days=9), assignee=agent
        )
        if i % 3 == 0:
            services.ticket_reassign(
                ticket=ticket,
                actor=agent,
                at=now - timedelta(days=8),
                queue=place["theirs"],
                assignee=agent,
                reason="Wrong team",
            )
        case = CaseFactory(
            reference=f"FOI-WS-{i:04d}",
            service=place["own"] if i % 2 else place["other"],
            received=timezone.localdate() - timedelta(days=20),
        )
        EscalationFactory(case=case, level="t_minus_2")


PERSONAS = list(Role)


@pytest.mark.parametrize("role", PERSONAS, ids=[r.value for r in PERSONAS])
def test_each_home_page_runs_fixed_queries_whatever_the_data(
    client, people, place, role, django_assert_num_queries
):
    client.force_login(people[role])
    grow(place, people, 2)
    client.get(reverse("home"))  # warm: the bank-holiday calendar, content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200
    grow(place, people, 18, start=2)
    with django_assert_num_queries(len(small)):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_agent_sees_their_tickets_across_queues_least_time_left_first(client, people, place):
    grow(place, people, 3)
    client.force_login(people[Role.SERVICE_DESK_AGENT])
    body = client.get(reverse("home")).content.decode()
    assert "Your tickets" in body
    assert "3 open tickets assigned to you" in body
    assert "INC-WS-0000" in body and "Networks" in body  # reassigned to another queue: still theirs
    assert "Your queues" not in body  # an agent who owns no queue


def test_queue_owner_sees_counts_linking_to_the_filtered_queue(client, people, place):
    grow(place, people, 3)
    client.force_login(people[Role.QUEUE_OWNER])
    body = client.get(reverse("home")).content.decode()
    assert "Your queues" in body
    url = reverse("servicedesk:queue_detail", args=["desktop"])
    assert f'href="{url}?show=over_a_week_old"' in body
    assert f'href="{url}?show=breaching"' in body
    assert "INC-WS-0001" in body  # over a week old in their queue
    assert "INC-WS-0000" not in body  # reassigned to Networks, which they do not own


def test_ig_officer_sees_due_this_week_overdue_and_clock_stopped(client, people, place):
    CaseFactory(reference="FOI-OVERDUE-1", service=place["other"], received=date(2026, 1, 5))
    client.force_login(people[Role.IG_OFFICER])
    body = client.get(reverse("home")).content.decode()
    assert "Casework" in body and "overdue" in body and "clock stopped" in body
    assert "FOI-OVERDUE-1" in body and "Overdue" in body


def test_director_sees_only_their_directorates_and_escalations_to_acknowledge(
    client, people, place
):
    grow(place, people, 4)
    sar = CaseFactory(
        reference="SAR-WS-0001",
        kind=Kind.SAR,
        service=place["own"],
        subject="SAR for Zebedee Canary",
        received=timezone.localdate() - timedelta(days=20),
    )
    EscalationFactory(case=sar, level="t_minus_2")
    client.force_login(people[Role.DIRECTOR])
    body = client.get(reverse("home")).content.decode()
    assert "Escalations awaiting your acknowledgement" in body
    assert "FOI-WS-0001" in body and "FOI-WS-0003" in body  # own directorate
    assert "FOI-WS-0000" not in body and "FOI-WS-0002" not in body  # another's
    assert "SAR-WS-0001" in body and "Zebedee" not in body  # a SAR's subject: IG only


def test_dmt_sees_what_needs_a_decision(client, people, place):
    client.force_login(people[Role.DMT])
    body = client.get(reverse("home")).content.decode()
    assert "The fortnightly review" in body
    assert "Indicator values awaiting a decision" in body
    assert 'id="undeliverable"' in body  # kept from main


def test_dmt_home_names_the_review_instant_as_every_page_does(client, people, place):
    """The snapshot of Monday 30 November 00:00 is "as at the end of Sunday 29 November"
    (the ``as_at`` filter), not "the fortnight to 30 November"."""
    from tests.indicators.test_review import make_snapshots

    make_snapshots(2, last=date(2026, 11, 30))
    client.force_login(people[Role.DMT])
    body = client.get(reverse("home")).content.decode()
    assert "The fortnight as at the end of Sunday 29 November 2026, against" in body
    assert "fortnight to 30 November" not in body


def test_dmt_home_headline_follows_every_snapshot_written(client, people, place):
    """The headline is kept in the review's cache under the versions of the fortnights it
    reads: writing the latest fortnight's figures again shows them at once."""
    from indicators import review_cache
    from indicators.models import Snapshot
    from tests.indicators.test_review import make_snapshots

    review_cache.invalidate()  # nothing kept by an earlier run of the same rows
    instants = make_snapshots(2, last=date(2026, 11, 30))
    client.force_login(people[Role.DMT])
    before = client.get(reverse("home")).content.decode()
    assert "1,0" not in before
    Snapshot.objects.filter(instant=instants[-1]).update(value=F("value") + 1000)
    after = client.get(reverse("home")).content.decode()
    assert "1,0" in after  # this fortnight's figures, now 1,000 and more


# -- search -------------------------------------------------------------------------------------


@pytest.fixture
def closed(place, people):
    now = timezone.now()
    ticket = log_ticket(queue=place["mine"], reference="INC-CLOSED-1", at=now - timedelta(days=3))
    services.ticket_resolve(ticket=ticket, actor=None, at=now - timedelta(days=2))
    services.ticket_close(ticket=ticket, actor=None, at=now - timedelta(days=1))
    log_ticket(queue=place["theirs"], reference="INC-THEIRS-1", at=now - timedelta(days=3))
    case = CaseFactory(
        reference="FOI-CLOSED-1",
        service=place["own"],
        received=date(2026, 3, 2),
        status=Status.RESPONDED,
        responded=date(2026, 3, 20),
        outcome=Outcome.SUPPLIED_IN_FULL,
    )
    other = CaseFactory(reference="FOI-OTHER-1", service=place["other"], received=date(2026, 3, 2))
    sar = CaseFactory(
        reference="SAR-SECRET-1",
        kind=Kind.SAR,
        service=place["own"],
        subject="SAR for Zebedee Canary",
        received=date(2026, 3, 2),
    )
    return {"ticket": ticket, "case": case, "other": other, "sar": sar}


@pytest.mark.parametrize(
    "role", [Role.DMT, Role.QUEUE_OWNER, Role.SERVICE_DESK_AGENT], ids=lambda r: r.value
)
def test_an_exact_reference_goes_straight_to_a_closed_ticket(client, people, closed, role):
    client.force_login(people[role])
    response = client.get(reverse("search"), {"q": "inc-closed-1 "})
    assert response.status_code == 302
    assert response["Location"] == reverse("servicedesk:ticket_detail", args=["INC-CLOSED-1"])


@pytest.mark.parametrize("role", [Role.DMT, Role.IG_OFFICER, Role.DIRECTOR], ids=lambda r: r.value)
def test_an_exact_reference_goes_straight_to_a_closed_case(client, people, closed, role):
    client.force_login(people[role])
    response = client.get(reverse("search"), {"q": "FOI-CLOSED-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("infogov:case_detail", args=[closed["case"].pk])


def test_search_never_finds_what_the_person_may_not_open(client, people, closed):
    """What was typed is echoed; the record's link never is."""
    theirs = reverse("servicedesk:ticket_detail", args=["INC-THEIRS-1"])
    closed_ticket = reverse("servicedesk:ticket_detail", args=["INC-CLOSED-1"])
    closed_case = reverse("infogov:case_detail", args=[closed["case"].pk])
    other_case = reverse("infogov:case_detail", args=[closed["other"].pk])

    def found(text: str) -> str:
        response = client.get(reverse("search"), {"q": text})
        assert response.status_code == 200
        return response.content.decode()

    client.force_login(people[Role.QUEUE_OWNER])
    assert theirs not in found("INC-THEIRS-1")
    assert closed_ticket in found("INC-")  # their own queue's closed ticket is found
    assert closed_case not in found("FOI")
    client.force_login(people[Role.DIRECTOR])
    assert other_case not in found("FOI-OTHER-1")
    assert closed_case in found("FOI-")
    client.force_login(people[Role.BRIEFING_VIEWER])
    assert closed_ticket not in found("INC-CLOSED") and closed_case not in found("FOI-CLOSED")


def test_a_sars_subject_is_neither_shown_nor_searched_for_non_ig(client, people, closed):
    for role in (Role.DMT, Role.DIRECTOR):
        client.force_login(people[role])
        body = client.get(reverse("search"), {"q": "SAR-SECRET"}).content.decode()
        assert "SAR-SECRET-1" in body and "Zebedee" not in body
        assert "Subject access request" in body
        assert (
            "SAR-SECRET-1" not in client.get(reverse("search"), {"q": "Zebedee"}).content.decode()
        )
    client.force_login(people[Role.IG_OFFICER])
    body = client.get(reverse("search"), {"q": "Zebedee"}).content.decode()
    assert "SAR-SECRET-1" in body and "Zebedee" in body


@pytest.mark.parametrize("text", ["", "   ", "\x00", "INC\x00", "x" * 5000, "%_'\"<script>"])
def test_search_survives_bad_input(client, people, closed, text):
    client.force_login(people[Role.DMT])
    response = client.get(reverse("search"), {"q": text})
    # A NUL anywhere in a query is refused by hackperf.middleware.RejectNulMiddleware.
    assert response.status_code == (400 if "\x00" in text else 200)
    assert b'"<script>' not in response.content


@pytest.mark.parametrize("role", PERSONAS, ids=[r.value for r in PERSONAS])
@pytest.mark.parametrize(
    ("text", "found"),
    [("WS", b"WS-0019"), ("INC-WS-0001", None), ("NO-SUCH-REF", None)],
    ids=["part of a reference", "exact reference", "no match"],
)
def test_search_runs_fixed_queries_whatever_the_data(
    client, people, place, role, text, found, django_assert_num_queries
):
    """Every role, each kind of search (part of a reference, an exact one, none), the same
    queries with 2 records of everything as with 20."""
    client.force_login(people[role])
    grow(place, people, 2)
    client.get(reverse("search"), {"q": text})
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("search"), {"q": text})
    grow(place, people, 18, start=2)
    with django_assert_num_queries(len(small)):
        response = client.get(reverse("search"), {"q": text})
    assert response.status_code in (200, 302)
    if found and role in (Role.DMT, Role.IG_OFFICER, Role.QUEUE_OWNER):
        assert response.status_code == 200 and found in response.content


# -- saved filters ------------------------------------------------------------------------------


def test_save_list_reopen_and_delete_a_filter(client, people, place):
    owner = people[Role.QUEUE_OWNER]
    client.force_login(owner)
    path = reverse("servicedesk:queue_detail", args=["desktop"]) + "?show=breaching&page=3"
    response = client.post(reverse("saved_filter_create"), {"path": path, "name": " Breaching "})
    assert response.status_code == 302 and response["Location"] == path
    saved = SavedFilter.objects.get(user=owner)
    assert saved.name == "Breaching"
    assert (
        saved.get_absolute_url()
        == reverse("servicedesk:queue_detail", args=["desktop"]) + "?show=breaching"
    )
    body = client.get(reverse("home")).content.decode()
    assert f'href="{saved.get_absolute_url()}"' in body
    assert client.get(saved.get_absolute_url()).status_code == 200

    # Someone else neither sees it nor deletes it.
    client.force_login(people[Role.SERVICE_DESK_AGENT])
    assert "Breaching" not in client.get(reverse("home")).content.decode()
    assert client.post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()

    client.force_login(owner)
    assert client.post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 302
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize(
    ("role", "said"),
    [
        (Role.SERVICE_DESK_AGENT, "On a queue page, filter it"),
        (Role.IG_OFFICER, "On the case list, filter it"),
        (Role.DMT, "On a queue page or the case list, filter it"),
        (Role.BRIEFING_VIEWER, None),
    ],
)
def test_the_home_page_sends_people_to_save_filters_only_where_they_may_go(
    client, people, role, said
):
    client.force_login(people[role])
    body = client.get(reverse("home")).content.decode()
    if said is None:
        assert "Your saved filters" not in body
    else:
        assert said in body


def test_saving_the_same_name_again_updates_it(client, people):
    client.force_login(people[Role.IG_OFFICER])
    url = reverse("infogov:case_list")
    client.post(reverse("saved_filter_create"), {"path": url + "?kind=foi", "name": "FOIs"})
    client.post(reverse("saved_filter_create"), {"path": url + "?kind=sar", "name": "FOIs"})
    assert list(SavedFilter.objects.values_list("query_string", flat=True)) == ["kind=sar"]


@pytest.mark.parametrize(
    "path",
    ["https://evil.example/queues/desktop/", "/people/", "/no/such/page/", "", "\x00"],
)
def test_only_a_saveable_list_can_be_saved(client, people, path):
    client.force_login(people[Role.DMT])
    response = client.post(reverse("saved_filter_create"), {"path": path, "name": "x"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not SavedFilter.objects.exists()


def test_a_filter_needs_a_name(client, people):
    client.force_login(people[Role.DMT])
    url = reverse("infogov:case_list") + "?kind=foi"
    response = client.post(reverse("saved_filter_create"), {"path": url, "name": "  "})
    assert response.status_code == 302 and response["Location"] == url
    assert not SavedFilter.objects.exists()
