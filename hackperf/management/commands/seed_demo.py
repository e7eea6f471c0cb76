"""``manage.py seed_demo [--tickets N]``: load demo data and print the demo logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hackperf.demo import DEMO_PASSWORD, seed_people


class Command(BaseCommand):
    help = "Load demo data: people for each role, service-desk tickets, FOI/SAR cases, indicators."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets",
            type=int,
            default=2000,
            help="how many demo service-desk tickets to create over the last year",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even with DEBUG off (demo accounts share a known password)",
        )

    def handle(self, *args, tickets: int, force: bool, **options):
        if tickets < 0:
            raise CommandError("--tickets must be zero or more")
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: demo accounts have a known password, so seed_demo refuses to "
                "create them here. Pass --force if this really is a demo site."
            )
        people = seed_people()
        now = timezone.now()
        # After the people: the demo queue owner, agent and IG officer are given work.
        from indicators import demo as indicators_demo
        from infogov import demo as infogov_demo
        from servicedesk import demo as servicedesk_demo

        seeded = servicedesk_demo.seed(tickets=tickets, now=now)
        self.stdout.write(
            f"Service desk: {seeded.tickets} tickets, {seeded.events} events, "
            f"{seeded.queues} queues."
        )

        summary = infogov_demo.seed(now=now)
        self.stdout.write(
            f"Information governance: {summary.cases} cases ({summary.open_cases} open), "
            f"{summary.directorates} directorates."
        )
        indicators_demo.seed(now=now)
        self.stdout.write("Indicators: two years of monthly values for the entered indicators.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
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
