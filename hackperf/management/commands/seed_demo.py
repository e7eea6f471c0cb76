"""``manage.py seed_demo [--tickets N]``: load demo data and print the demo logins."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hackperf.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_people


def demo_loaded() -> bool:
    """Whether a previous run finished: its people exist, and so do tickets.

    This command is where the apps meet (it seeds each in turn), so it may ask servicedesk;
    hackperf's own modules never import the apps.
    """
    from servicedesk.models import Ticket

    people = get_user_model().objects.filter(username=DEMO_PEOPLE[0].username)
    return people.exists() and Ticket.objects.exists()


class Command(BaseCommand):
    help = "Load demo data: people for each role, service-desk tickets, FOI/SAR cases, indicators."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets",
            type=int,
            default=45_000,
            help="how many demo service-desk tickets to create over the last year",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="only print the demo logins if demo data is already loaded (make run)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even with DEBUG off (demo accounts share a known password)",
        )

    def handle(self, *args, tickets: int, force: bool, if_empty: bool, **options):
        if tickets < 0:
            raise CommandError("--tickets must be zero or more")
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: demo accounts have a known password, so seed_demo refuses to "
                "create them here. Pass --force if this really is a demo site."
            )
        if if_empty and demo_loaded():
            self.stdout.write("Demo data is already loaded (run seed_demo to load it afresh).")
            self.print_logins(list(DEMO_PEOPLE))
            return
        people = seed_people()
        now = timezone.now()
        # After the people: the demo queue owner, agent and IG officer are given work.
        from indicators import demo as indicators_demo
        from indicators.periods import month_start, shift_month
        from indicators.services.compute import indicators_compute
        from indicators.services.snapshots import snapshot_backfill
        from infogov import demo as infogov_demo
        from servicedesk import demo as servicedesk_demo

        seeded = servicedesk_demo.seed(tickets=tickets, now=now)
        self.stdout.write(
            f"Service desk: {seeded.tickets} tickets, {seeded.events} events, "
            f"{seeded.queues} queues."
        )

        from servicedesk.surveys import demo as survey_demo

        surveys = survey_demo.seed(now=now)
        self.stdout.write(
            f"Surveys: {surveys.invitations} invitations over {surveys.months} months, "
            f"{surveys.responses} answers, {surveys.opt_outs} opt-outs."
        )
        summary = infogov_demo.seed(now=now)
        self.stdout.write(
            f"Information governance: {summary.cases} cases ({summary.open_cases} open), "
            f"{summary.directorates} directorates."
        )
        indicators_demo.seed(now=now)
        # Figures from the demo history: the DMT's last 14 fortnights, and FR ICT 17-19 for
        # the last 12 months (what the beat jobs would have written had they been running).
        today = timezone.localdate(now)
        fortnights = snapshot_backfill(start=today - timedelta(weeks=28), end=today)
        this_month = month_start(today)
        for months_back in range(12, 0, -1):
            indicators_compute(period_start=shift_month(this_month, -months_back), now=now)
        # As the owners and the DMT would have done: computed months before the last have
        # their commentary, are checked, and are approved by the DMT (the briefing shows
        # approved values only); the last month awaits them.
        dmt = get_user_model().objects.get(username="dmt")
        indicators_demo.sign_off_computed(before=shift_month(this_month, -1), approver=dmt, now=now)
        self.stdout.write(
            f"Indicators: entered values for two years, {len(fortnights)} fortnightly "
            "snapshots, and FR ICT 17-19 computed for the last 12 months."
        )
        # What the beat jobs and the DMT's last meeting would have left: a fortnight of
        # daily snapshots, one escalation scan of the open cases, a frozen review pack
        # with its actions.
        from indicators.choices import Granularity
        from infogov import selectors as infogov_selectors
        from infogov.services.escalations import escalations_send

        days = snapshot_backfill(
            start=today - timedelta(days=13), end=today, granularity=Granularity.DAILY
        )
        scan = escalations_send(today=today, calendar=infogov_selectors.holiday_calendar())
        packs = indicators_demo.seed_review(now=now)
        self.stdout.write(
            f"Daily snapshots: {len(days)} days. Escalation scan: {len(scan.escalated)} "
            f"levels escalated. Review packs frozen: {packs}, with their actions."
        )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins(people)

    def print_logins(self, people) -> None:
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ with password {DEMO_PASSWORD!r} as:")
        for person in people:
            role = (
                person.role.label
                if person.role
                else (
                    "administrator" if person.is_superuser else "no role (sees only the home page)"
                )
            )
            self.stdout.write(f"  {person.username:<12} {role}")
