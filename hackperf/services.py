"""Writes of the project package."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from hackperf.roles import ROLE_PERMISSIONS


@transaction.atomic
def role_groups_sync() -> list[Group]:
    """Make each role's group exist with exactly the permissions ``ROLE_PERMISSIONS`` gives.

    The data migration creates the groups on a new database; this puts them back where
    something removed them (a flushed test database, an admin's mistake), and is what
    ``seed_demo`` relies on. Idempotent.
    """
    site_perms = {
        perm.codename: perm
        for perm in Permission.objects.filter(content_type__app_label="hackperf")
    }
    groups = []
    for role, perms in ROLE_PERMISSIONS.items():
        missing = {perm.value for perm in perms} - site_perms.keys()
        if missing:
            raise RuntimeError(
                f"permissions {sorted(missing)} do not exist yet: run `manage.py migrate` first"
            )
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([site_perms[perm.value] for perm in perms])
        groups.append(group)
    return groups


UNLOCK_NOTHING = "Say which account or address to unlock."


def sign_in_unlock(*, username: str = "", ip_address: str = "") -> int:
    """Forget the failed sign-ins of one account or one address, so it can sign in again.

    Returns how many django-axes attempt records were removed. Refuses to be called with
    neither, which django-axes would read as "everyone".
    """
    from axes.utils import reset

    if not username and not ip_address:
        raise ValueError(UNLOCK_NOTHING)
    return reset(username=username or None, ip=ip_address or None)
