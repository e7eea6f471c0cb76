from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from servicedesk import declarations

        # Its metrics, for indicators to read through hackperf.registry (ADR 0003).
        declarations.register()

        from hackperf import outbox
        from hackperf.signals import bank_holidays_changed
        from servicedesk.surveys.services import OUTBOX_KIND, invitation_sent

        outbox.register_on_sent(OUTBOX_KIND, invitation_sent)

        from hackperf import workspace
        from hackperf.roles import Perm
        from servicedesk import home

        workspace.register_home_section("servicedesk-mine", home.my_tickets_section, order=10)
        workspace.register_home_section("servicedesk-queues", home.my_queues_section, order=20)
        workspace.register_search("servicedesk", home.search, order=10)
        workspace.register_saveable_list(
            "servicedesk:queue_detail", "Queue", perm=Perm.VIEW_QUEUES, where="a queue page"
        )

        bank_holidays_changed.connect(
            _recompute_open_tickets, dispatch_uid="servicedesk_recompute_sla"
        )


def _recompute_open_tickets(sender, **kwargs) -> None:
    """New or removed bank holidays move the SLA due instants of open tickets."""
    from servicedesk.services import tickets_sla_recompute

    tickets_sla_recompute()
