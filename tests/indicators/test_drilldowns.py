"""Drill-downs that say why (issue 12): each record behind a figure with the facts that made
it count, as of the figure's instant or period; sortable; a CSV of exactly the rows listed;
a fixed number of queries for 2 records and for 20."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hackperf.roles import Role
from indicators.review_views import drill_url

FIRST_END = datetime(2026, 3, 9, tzinfo=UTC)  # Monday 9 March 2026 00:00 GMT
MONDAY = datetime(2026, 2, 23, 9, tzinfo=UTC)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def log_open(n: int, queue):
    from tests.servicedesk.factories import log_ticket

    return [
        log_ticket(queue=queue, at=MONDAY + timedelta(minutes=i), reference=f"INC-{i:03d}")
        for i in range(n)
    ]


@pytest.mark.django_db
class TicketDrilldownTests:
    def test_it_shows_the_status_and_queue_then_not_now(self, client_as):
        from servicedesk import services as sd
        from tests.servicedesk.factories import QueueFactory

        desk, network = QueueFactory(name="Desk"), QueueFactory(name="Network")
        (ticket,) = log_open(1, desk)
        sd.ticket_assign(ticket=ticket, actor=None, at=MONDAY + timedelta(hours=1))
        # After the instant: moved to another queue and resolved.
        sd.ticket_reassign(
            ticket=ticket, queue=network, actor=None, at=FIRST_END + timedelta(hours=1)
        )
        sd.ticket_resolve(ticket=ticket, actor=None, at=FIRST_END + timedelta(hours=2))
        response = client_as(Role.DMT).get(drill_url("servicedesk.open_incidents", FIRST_END))
        (row,) = response.context["rows"]
        labels = [c["label"] for c in response.context["columns"]]
        cells = dict(zip(labels[1:], row.cells, strict=True))
        assert cells["Queue then"] == "Desk"
        assert cells["Status then"] == "Assigned"
        assert cells["Open for"] == "13 d 15 h"  # 23 Feb 09:00 to 9 Mar 00:00

    def test_a_period_figure_says_what_happened_and_when(self, client_as):
        from servicedesk import services as sd
        from tests.servicedesk.factories import QueueFactory

        (ticket,) = log_open(1, QueueFactory(name="Desk"))
        sd.ticket_assign(ticket=ticket, actor=None, at=MONDAY + timedelta(hours=1))
        sd.ticket_resolve(ticket=ticket, actor=None, at=MONDAY + timedelta(days=1))
        response = client_as(Role.DMT).get(drill_url("servicedesk.closures", FIRST_END))
        (row,) = response.context["rows"]
        assert row.cells[2] == "Assigned → Resolved"
        assert row.cells[3] == "24 Feb 2026 09:00"

    def test_it_sorts_by_a_column_and_back(self, client_as):
        from tests.servicedesk.factories import QueueFactory

        log_open(3, QueueFactory())
        client = client_as(Role.DMT)
        url = drill_url("servicedesk.open_incidents", FIRST_END)
        down = client.get(url + "&sort=-reference")
        assert [r.reference for r in down.context["rows"]] == ["INC-002", "INC-001", "INC-000"]
        header = next(c for c in down.context["columns"] if c["key"] == "reference")
        assert header["aria_sort"] == "descending" and "sort=reference" in header["url"]
        up = client.get(url + "&sort=reference")
        assert [r.reference for r in up.context["rows"]] == ["INC-000", "INC-001", "INC-002"]
        # An unknown sort is the default order, never an error.
        assert client.get(url + "&sort=customer_email").status_code == 200

    def test_the_csv_is_exactly_the_rows_listed(self, client_as):
        from tests.servicedesk.factories import QueueFactory

        log_open(3, QueueFactory(name="Desk"))
        client = client_as(Role.DMT)
        url = drill_url("servicedesk.open_incidents", FIRST_END) + "&sort=-reference"
        page = client.get(url)
        response = client.get(url + "&format=csv")
        assert response["Content-Type"].startswith("text/csv")
        rows = csv_rows(response)
        assert rows[0] == [c["label"] for c in page.context["columns"]]
        assert rows[1:] == [[r.reference, *r.cells] for r in page.context["rows"]]
        assert f'href="{page.context["csv_url"].replace("&", "&amp;")}"' in page.content.decode()

    def test_a_queue_owner_lists_and_downloads_only_their_queues(
        self, client_as, make_user, definitions
    ):
        from tests.servicedesk.factories import QueueFactory, log_ticket

        mine, theirs = QueueFactory(name="Mine"), QueueFactory(name="Theirs")
        logged = datetime(2026, 3, 3, 9, tzinfo=UTC)
        log_ticket(queue=mine, at=logged, reference="INC-MINE")
        for reference in ("INC-THEIRS-1", "INC-THEIRS-2"):
            log_ticket(queue=theirs, at=logged, reference=reference)
        owner = make_user(Role.QUEUE_OWNER)
        mine.owners.add(owner)
        client = client_as()
        client.force_login(owner)
        url = reverse("indicators:period_value_behind", args=["fr-ict-17a", "2026-03"])
        page = client.get(url)
        assert [r.reference for r in page.context["rows"]] == ["INC-MINE"]
        assert "and 2 more in queues you cannot open" in page.content.decode()
        rows = csv_rows(client.get(url + "?format=csv"))
        assert [row[0] for row in rows[1:]] == ["INC-MINE"]

    @pytest.mark.parametrize("n", [2, 20])
    def test_it_runs_the_same_queries_for_2_and_20_tickets(self, client_as, n):
        from tests.servicedesk.factories import QueueFactory

        log_open(n, QueueFactory())
        client = client_as(Role.DMT)
        url = drill_url("servicedesk.open_incidents", FIRST_END)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(url).context["rows"]) == n
        # session, user, savepoint, user and group permissions (then cached for the figure's
        # own permission), the snapshot row, the count of all, the count of the visible, the
        # page (intervals with their tickets and queues), release savepoint.
        assert len(queries) == 10, "\n".join(q["sql"][:150] for q in queries)


@pytest.mark.django_db
class ValueDrilldownTests:
    def test_fr_ict_17_says_which_incidents_missed_8_hours(self, client_as, definitions):
        from servicedesk import services as sd
        from tests.servicedesk.factories import QueueFactory, SlaTargetFactory, log_ticket

        SlaTargetFactory()
        queue = QueueFactory()
        logged = datetime(2026, 3, 3, 9, tzinfo=UTC)
        for hours, reference in ((2, "INC-FAST"), (26, "INC-SLOW")):
            ticket = log_ticket(queue=queue, at=logged, reference=reference)
            sd.ticket_resolve(ticket=ticket, actor=None, at=logged + timedelta(hours=hours))
        url = reverse("indicators:period_value_behind", args=["fr-ict-17", "2026-03"])
        response = client_as(Role.DMT).get(url + "?sort=business")
        rows = {r.reference: r.cells for r in response.context["rows"]}
        assert rows["INC-FAST"][-2:] == ("2 h", "Met")
        assert rows["INC-SLOW"][-2:] == ("10 h", "Missed")
        assert response.context["columns"][-1]["label"] == "Within 8 h"
        assert [r.reference for r in response.context["rows"]] == ["INC-FAST", "INC-SLOW"]

    def test_fr_ict_18a_says_which_fois_were_late_and_by_how_much(self, client_as, definitions):
        from infogov.services.cases import case_respond
        from tests.indicators.test_snapshots import _log_case
        from tests.infogov.factories import ServiceFactory

        service = ServiceFactory()
        late = _log_case("FOI-LATE", "foi", date(2026, 2, 2), service)  # due Mon 2 March
        case_respond(
            case=late,
            responded=date(2026, 3, 4),
            outcome="supplied_in_full",
            today=date(2026, 3, 4),
        )
        prompt = _log_case("FOI-PROMPT", "foi", date(2026, 2, 16), service)
        case_respond(
            case=prompt,
            responded=date(2026, 3, 2),
            outcome="supplied_in_full",
            today=date(2026, 3, 2),
        )
        url = reverse("indicators:period_value_behind", args=["fr-ict-18a", "2026-03"])
        response = client_as(Role.IG_OFFICER).get(url)
        rows = {r.reference: r.cells for r in response.context["rows"]}
        assert rows["FOI-LATE"][4:] == ("2 Mar 2026", "4 Mar 2026", "2 working days late", "No")
        assert rows["FOI-PROMPT"][-2:] == ("On time", "No")
        rows = csv_rows(client_as(Role.IG_OFFICER).get(url + "?format=csv"))
        assert rows[0][-2:] == ["Working days late", "Extended"]
        assert len(rows) == 3

    @pytest.mark.parametrize("n", [2, 20])
    def test_it_runs_the_same_queries_for_2_and_20_cases(self, client_as, definitions, n):
        from tests.indicators.test_snapshots import _log_case
        from tests.infogov.factories import ServiceFactory

        service = ServiceFactory()
        for i in range(n):
            _log_case(f"FOI-{i:03d}", "foi", date(2026, 3, 2), service)
        client = client_as(Role.IG_OFFICER)
        url = reverse("indicators:period_value_behind", args=["fr-ict-18b", "2026-03"])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(url).context["rows"]) == n
        # session, user, savepoint, user and group permissions, the indicator, the stored
        # value, the count of all, the count of the visible, the page (cases with their
        # directorates), the bank holidays (working days late), release savepoint.
        assert len(queries) == 12, "\n".join(q["sql"][:150] for q in queries)


@pytest.mark.django_db
class SortEveryColumnTests:
    """One sort-every-column smoke test per drill-down (STYLE.md §7): each column of every
    registered metric's records sorts both ways on a little real history."""

    @pytest.fixture
    def history(self, definitions):
        from servicedesk import services as sd
        from tests.indicators.test_snapshots import _log_case
        from tests.infogov.factories import ServiceFactory
        from tests.servicedesk.factories import QueueFactory

        (ticket, _) = log_open(2, QueueFactory())
        sd.ticket_assign(ticket=ticket, actor=None, at=MONDAY + timedelta(hours=1))
        sd.ticket_resolve(ticket=ticket, actor=None, at=MONDAY + timedelta(days=1))
        _log_case("FOI-1", "foi", date(2026, 2, 2), ServiceFactory())

    def test_the_review_drill_downs(self, history, client_as):
        from hackperf import registry

        client = client_as(Role.DMT)
        for metric in registry.snapshot_metrics():
            url = drill_url(metric.code, FIRST_END)
            columns = client.get(url).context["columns"]
            for column in columns:
                for sort in (column["key"], f"-{column['key']}"):
                    response = client.get(f"{url}&sort={sort}")
                    assert response.status_code == 200, (metric.code, sort)

    def test_the_monthly_values_drill_downs(self, history, client_as):
        from hackperf import registry

        client = client_as(Role.DMT)
        for metric in registry.monthly_metrics():
            if metric.behind is None:
                continue
            url = reverse("indicators:period_value_behind", args=[metric.slug, "2026-02"])
            columns = client.get(url).context["columns"]
            for column in columns:
                for sort in (column["key"], f"-{column['key']}"):
                    response = client.get(f"{url}?sort={sort}")
                    assert response.status_code == 200, (metric.code, sort)


@pytest.mark.django_db
class PersonalDataTests:
    def test_a_sar_subject_reaches_ig_officers_only_on_the_page_and_in_the_csv(
        self, client_as, definitions
    ):
        from tests.indicators.test_snapshots import _log_case
        from tests.infogov.factories import ServiceFactory

        sar = _log_case("SAR-1", "sar", date(2026, 3, 2), ServiceFactory())
        sar.subject = "Records held about Zebedee Quill"
        sar.save(update_fields=["subject"])
        url = reverse("indicators:period_value_behind", args=["fr-ict-19b", "2026-03"])
        for role, sees in ((Role.DMT, False), (Role.IG_OFFICER, True)):
            client = client_as(role)
            page = client.get(url).content.decode()
            body = "\n".join(",".join(row) for row in csv_rows(client.get(url + "?format=csv")))
            assert ("Zebedee" in page, "Zebedee" in body) == (sees, sees), role
            assert "SAR-1" in page and "SAR-1" in body
