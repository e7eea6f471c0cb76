"""Tables of the project package's pages."""

import django_tables2 as tables

from hackperf.roles import Role

ROLE_LABELS = dict(Role.choices)


class PersonTable(tables.Table):
    """People and the roles they hold (the DMT's view of who can see what)."""

    username = tables.Column(verbose_name="User name")
    full_name = tables.Column(
        verbose_name="Name", accessor="get_full_name", order_by=("last_name", "first_name")
    )
    email = tables.EmailColumn(verbose_name="E-mail")
    roles = tables.Column(verbose_name="Roles", accessor="pk", orderable=False)
    last_login = tables.DateTimeColumn(
        verbose_name="Last signed in", format="j M Y H:i", default="Never"
    )

    class Meta:
        fields = ("username", "full_name", "email", "roles", "last_login")
        order_by = ("username",)
        empty_text = "Nobody has an account yet."

    def render_roles(self, record) -> str:
        # Groups are prefetched by the selector: no query per row.
        names = [ROLE_LABELS.get(group.name, group.name) for group in record.groups.all()]
        return ", ".join(names) or "No role"
