"""People's roles, as Django groups, and the site-wide permissions each role holds.

A role is a group; what it may do is a set of permissions on
``hackperf.SitePermission`` (a model with no table, used only to own permissions that no
single model does, such as "see the Mayor's briefing"). Views ask for a permission, never
for a group name, so a council can reshape its roles in the admin without code changes.

The data migration ``hackperf/migrations/0002_roles.py`` creates the groups with a frozen
copy of ``ROLE_PERMISSIONS``; change both together, in a new migration.
"""

from django.db import models


class Role(models.TextChoices):
    """The groups people are put in; the values are the group names."""

    DMT = "dmt", "ICT Divisional Management Team"
    QUEUE_OWNER = "queue_owner", "Queue owner"
    SERVICE_DESK_AGENT = "service_desk_agent", "Service desk agent"
    IG_OFFICER = "ig_officer", "Information Governance officer"
    DIRECTOR = "director", "Director"
    BRIEFING_VIEWER = "briefing_viewer", "Briefing viewer (Mayor, Group Director)"


class Perm(models.TextChoices):
    """Site-wide permissions (codename, description), held by ``hackperf.SitePermission``."""

    VIEW_REVIEW = "view_review", "Can see the DMT fortnightly review"
    VIEW_QUEUES = "view_queues", "Can see service-desk queues and tickets"
    WORK_TICKETS = "work_tickets", "Can log and work service-desk tickets"
    WORK_ALL_QUEUES = "work_all_queues", "Can work tickets in every queue, not only one's own"
    IMPORT_TICKETS = "import_tickets", "Can import service-management exports"
    IMPORT_CASES = "import_cases", "Can import case-management exports"
    VIEW_INDICATORS = "view_indicators", "Can see performance indicators"
    ENTER_INDICATOR_VALUES = "enter_indicator_values", "Can enter and check indicator values"
    APPROVE_INDICATOR_VALUES = "approve_indicator_values", "Can approve indicator values"
    VIEW_INFOGOV = "view_infogov", "Can see FOI/EIR/SAR cases (without personal data)"
    WORK_CASES = "work_cases", "Can log and work FOI/EIR/SAR cases"
    VIEW_REQUESTER_DATA = (
        "view_requester_data",
        "Can see requesters' identities and contact details",
    )
    ACKNOWLEDGE_ESCALATIONS = "acknowledge_escalations", "Can acknowledge escalations"
    VIEW_BRIEFING = "view_briefing", "Can see the Mayor's briefing"
    EDIT_RISKS = "edit_risks", "Can edit the risk register"


ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.DMT: frozenset(
        {
            Perm.VIEW_REVIEW,
            Perm.VIEW_QUEUES,
            Perm.IMPORT_TICKETS,
            Perm.IMPORT_CASES,
            Perm.VIEW_INDICATORS,
            Perm.ENTER_INDICATOR_VALUES,
            Perm.APPROVE_INDICATOR_VALUES,
            Perm.VIEW_INFOGOV,
            Perm.VIEW_BRIEFING,
            Perm.EDIT_RISKS,
        }
    ),
    Role.QUEUE_OWNER: frozenset({Perm.VIEW_QUEUES, Perm.WORK_TICKETS, Perm.VIEW_INDICATORS}),
    # Agents pick up work in any queue; queue owners work their own queues' tickets.
    Role.SERVICE_DESK_AGENT: frozenset({Perm.VIEW_QUEUES, Perm.WORK_TICKETS, Perm.WORK_ALL_QUEUES}),
    # Only IG officers see requesters' personal data (UK GDPR Art 5(1)(f), need to know).
    Role.IG_OFFICER: frozenset(
        {Perm.VIEW_INFOGOV, Perm.WORK_CASES, Perm.VIEW_REQUESTER_DATA, Perm.VIEW_INDICATORS}
    ),
    Role.DIRECTOR: frozenset({Perm.VIEW_INFOGOV, Perm.ACKNOWLEDGE_ESCALATIONS}),
    Role.BRIEFING_VIEWER: frozenset({Perm.VIEW_BRIEFING, Perm.VIEW_INDICATORS}),
}


def perm_name(perm: Perm) -> str:
    """The ``app_label.codename`` string that ``user.has_perm`` takes."""
    return f"hackperf.{perm.value}"


def roles_of(user) -> list[Role]:
    """The roles a user holds, in the order of ``Role``; superusers hold none by name."""
    if not user.is_authenticated:
        return []
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role.value in names]
