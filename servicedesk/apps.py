from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from hackperf import outbox
        from hackperf.signals import bank_holidays_changed
        from servicedesk.surveys.services import OUTBOX_KIND, invitation_sent

        outbox.register_on_sent(OUTBOX_KIND, invitation_sent)

        bank_holidays_changed.connect(
            _recompute_open_tickets, dispatch_uid="servicedesk_recompute_sla"
        )


def _recompute_open_tickets(sender, **kwargs) -> None:
    """New or removed bank holidays move the SLA due instants of open tickets."""
    from servicedesk.services import tickets_sla_recompute

    tickets_sla_recompute()
