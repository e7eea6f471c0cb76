import importlib

import pytest
from django.contrib.auth.models import Group

from hackperf.roles import ROLE_PERMISSIONS, Perm, Role, perm_name, roles_of
from hackperf.services import role_groups_sync

roles_migration = importlib.import_module("hackperf.migrations.0002_roles")
agents_migration = importlib.import_module("hackperf.migrations.0005_work_all_queues")
imports_migration = importlib.import_module("hackperf.migrations.0008_import_runs")


def group_perms() -> dict[str, set[str]]:
    return {
        group.name: set(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.prefetch_related("permissions")
    }


@pytest.mark.django_db
class RoleGroupsTests:
    def test_the_data_migrations_create_every_role_with_its_permissions(self):
        # Run the migration's own function: a reused test database may have been flushed.
        from django.apps import apps

        Group.objects.all().delete()
        roles_migration.create_roles(apps, None)
        agents_migration.give_agents_every_queue(apps, None)
        imports_migration.give_dmt_case_imports(apps, None)
        expected = {
            role.value: {perm.value for perm in perms} for role, perms in ROLE_PERMISSIONS.items()
        }
        assert group_perms() == expected

    def test_every_role_has_permissions(self):
        assert set(ROLE_PERMISSIONS) == set(Role)
        assert all(ROLE_PERMISSIONS.values())

    def test_only_ig_officers_see_requesters_personal_data(self):
        holders = {
            role for role, perms in ROLE_PERMISSIONS.items() if Perm.VIEW_REQUESTER_DATA in perms
        }
        assert holders == {Role.IG_OFFICER}

    def test_sync_restores_a_damaged_group_and_a_second_run_changes_nothing(self):
        Group.objects.get(name=Role.DIRECTOR).permissions.clear()
        Group.objects.filter(name=Role.DMT).delete()
        role_groups_sync()
        first = group_perms()
        role_groups_sync()
        assert group_perms() == first
        assert first[Role.DIRECTOR] == {p.value for p in ROLE_PERMISSIONS[Role.DIRECTOR]}

    def test_roles_of_lists_a_users_roles(self, make_user):
        user = make_user(Role.DIRECTOR, Role.IG_OFFICER)
        assert roles_of(user) == [Role.IG_OFFICER, Role.DIRECTOR]
        assert user.has_perm(perm_name(Perm.VIEW_REQUESTER_DATA))
