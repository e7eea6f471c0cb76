"""Create the role groups with their permissions.

A frozen copy of ``hackperf.roles.ROLE_PERMISSIONS`` as it stood when this migration was
written: migrations must not change meaning when the code moves on. Later issues add
permissions to roles with migrations of their own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "dmt": [
        "view_review",
        "view_queues",
        "import_tickets",
        "view_indicators",
        "enter_indicator_values",
        "approve_indicator_values",
        "view_infogov",
        "view_briefing",
        "edit_risks",
    ],
    "queue_owner": ["view_queues", "work_tickets", "view_indicators"],
    "service_desk_agent": ["view_queues", "work_tickets"],
    "ig_officer": ["view_infogov", "work_cases", "view_requester_data", "view_indicators"],
    "director": ["view_infogov", "acknowledge_escalations"],
    "briefing_viewer": ["view_briefing", "view_indicators"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make ours now.
    app_config = apps.get_app_config("hackperf")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True  # migration state has none
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(
            content_type__app_label="hackperf", codename__in=codenames
        )
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions missing for role {name}: {sorted(missing)}")
        group.permissions.add(*perms)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hackperf", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
