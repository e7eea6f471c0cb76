import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from hackperf.demo import DEMO_PASSWORD, DEMO_PEOPLE
from hackperf.roles import Role, roles_of


@pytest.mark.django_db
class SeedDemoTests:
    @override_settings(DEBUG=True)
    def test_it_creates_a_person_for_each_role_and_prints_the_logins(self, capsys):
        call_command("seed_demo", "--tickets", "200")
        out = capsys.readouterr().out
        User = get_user_model()
        for person in DEMO_PEOPLE:
            user = User.objects.get(username=person.username)
            assert user.check_password(DEMO_PASSWORD)
            assert person.username in out
        held = {role for user in User.objects.all() for role in roles_of(user)}
        assert held == set(Role)
        assert DEMO_PASSWORD in out

    @override_settings(DEBUG=True)
    def test_it_leaves_every_page_of_the_review_populated(self):
        """A frozen pack with actions (one closed with a note), daily snapshots, one
        escalation scan and tickets with assignees, as the beat jobs, the desk and the DMT's
        last meeting would have left them."""
        from indicators.choices import Granularity
        from indicators.models import ReviewAction, ReviewPack, Snapshot
        from infogov.models import Escalation

        call_command("seed_demo", "--tickets", "200")
        pack = ReviewPack.objects.get()
        assert pack.commentary
        states = sorted(pack.actions.values_list("state", flat=True))
        assert states == ["closed", "open", "open"]
        assert ReviewAction.objects.filter(state="closed").exclude(closing_note="").count() == 1
        days = Snapshot.objects.filter(granularity=Granularity.DAILY).values("instant")
        assert days.order_by().distinct().count() == 14
        assert Escalation.objects.exists()
        from servicedesk.models import Ticket

        # The demo agent and queue owner have tickets of their own.
        for username in ("agent", "queue-owner"):
            assert Ticket.objects.filter(assignee__username=username).exists(), username

    @override_settings(DEBUG=True)
    def test_a_second_run_changes_nothing(self):
        call_command("seed_demo", "--tickets", "200")
        before = list(
            get_user_model().objects.order_by("username").values_list("username", "is_superuser")
        )
        call_command("seed_demo", "--tickets", "200")
        after = list(
            get_user_model().objects.order_by("username").values_list("username", "is_superuser")
        )
        assert before == after

    @override_settings(DEBUG=False)
    def test_it_refuses_on_a_production_site_unless_forced(self):
        with pytest.raises(CommandError, match="DEBUG is off"):
            call_command("seed_demo", "--tickets", "200")
        call_command("seed_demo", "--force", "--tickets", "200")
        assert get_user_model().objects.filter(username="dmt").exists()

    @override_settings(DEBUG=True)
    def test_if_empty_only_prints_the_logins_once_loaded(self, capsys):
        call_command("seed_demo", "--tickets", "200", "--if-empty")
        from servicedesk.models import Ticket

        count = Ticket.objects.count()
        capsys.readouterr()
        call_command("seed_demo", "--tickets", "300", "--if-empty")
        out = capsys.readouterr().out
        assert "already loaded" in out
        assert DEMO_PASSWORD in out
        assert Ticket.objects.count() == count
