"""Demo data for ``manage.py seed_demo``: one person for each role, with a known password.

Each app adds its own demo data in later issues; ``seed_demo`` calls them in order.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from hackperf.roles import Role
from hackperf.services import role_groups_sync

DEMO_PASSWORD = "hackperf-demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: Role | None
    is_superuser: bool = False


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("dmt", "Dana", "Mensah", Role.DMT),
    DemoPerson("queue-owner", "Quinn", "Osei", Role.QUEUE_OWNER),
    DemoPerson("agent", "Amir", "Khan", Role.SERVICE_DESK_AGENT),
    DemoPerson("ig-officer", "Imogen", "Gray", Role.IG_OFFICER),
    DemoPerson("director", "Dev", "Patel", Role.DIRECTOR),
    DemoPerson("mayor", "Morgan", "Adeyemi", Role.BRIEFING_VIEWER),
    DemoPerson("no-role", "Nia", "Roberts", None),
    DemoPerson("admin", "Ada", "Admin", None, is_superuser=True),
)


@transaction.atomic
def seed_people() -> list[DemoPerson]:
    """Create or reset the demo people; running it twice leaves the same people."""
    User = get_user_model()
    groups = {group.name: group for group in role_groups_sync()}
    for person in DEMO_PEOPLE:
        user, _ = User.objects.update_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@hackperf.example",
                "is_staff": person.is_superuser,
                "is_superuser": person.is_superuser,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([groups[person.role.value]] if person.role else [])
    return list(DEMO_PEOPLE)
