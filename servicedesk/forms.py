"""Agent forms: logging a ticket, and one form per action on the ticket page.

``ACTIONS`` maps the action's URL slug to its form, the service it calls, and when it is
offered. The view turns a :class:`~servicedesk.services.TransitionError` into a form error,
so the page re-renders with the message and nothing is saved.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse

from hackperf.forms import GovukForm, reference_taken
from hackperf.roles import Perm
from servicedesk import services, statuses
from servicedesk.choices import (
    PAUSED_STATUSES,
    Channel,
    EscalationLevel,
    Kind,
    Priority,
    Status,
)
from servicedesk.models import Category, Queue, Ticket


def _people_who_work_tickets():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__codename=Perm.WORK_TICKETS.value) | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username", "pk")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def categories_in_tree_order() -> QuerySet[Category]:
    """Every category, each top-level one followed by its subcategories, by name."""
    return Category.objects.select_related("parent").order_by(
        Lower(Coalesce("parent__name", "name")),
        F("parent_id").asc(nulls_first=True),
        Lower("name"),
        "pk",
    )


class CategoryChoiceField(forms.ModelChoiceField):
    """A category by its path ("Hardware / Laptop fault"), in tree order: a subcategory's
    name alone can be another's too ("Other"), and bare names mixed the two levels."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", categories_in_tree_order())
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.name} / {obj.name}" if obj.parent_id else obj.name


class ActionForm(GovukForm):
    """An action on a ticket; subclasses add fields and say how to call the service."""

    def __init__(self, *args, ticket: Ticket, **kwargs):
        self.ticket = ticket
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def _reason(label: str, *, required: bool = True, message: str = "Enter a reason"):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": message},
    )


def _radios(label: str, choices: Any, message: str, **more: Any) -> forms.ChoiceField:
    """A required choice shown as radio buttons (GOV.UK: a short list is radios, not a
    select), with the message to show when none is chosen."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message},
        **more,
    )


class AssignForm(ActionForm):
    assignee = PersonChoiceField(
        label="Assign to",
        queryset=get_user_model().objects.none(),
        empty_label="Choose a person",
        error_messages={"required": "Choose who to assign the ticket to"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = _people_who_work_tickets()


class ReassignForm(ActionForm):
    queue = forms.ModelChoiceField(
        label="Move to queue",
        queryset=Queue.objects.order_by("name"),
        empty_label="Choose a queue",
        error_messages={"required": "Choose the queue to move the ticket to"},
    )
    reason = _reason("Reason (optional)", required=False)


HOLD_LABELS: dict[str, str] = {
    Status.AWAITING_CUSTOMER: "Awaiting the customer",
    Status.AWAITING_SUPPLIER: "Awaiting a supplier",
}


class HoldForm(ActionForm):
    status = _radios(
        "Waiting for", [(s, HOLD_LABELS[s]) for s in PAUSED_STATUSES], services.NOT_A_HOLD_STATUS
    )
    reason = _reason("Reason")


class OffHoldForm(ActionForm):
    pass


class EscalateForm(ActionForm):
    level = forms.TypedChoiceField(
        label="Escalate to",
        coerce=int,
        choices=[(level.value, level.label) for level in EscalationLevel if level.value > 0],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the escalation level"},
    )
    reason = _reason("Reason")


class NoteForm(ActionForm):
    text = forms.CharField(
        label="Work note (internal: the customer never sees it)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        error_messages={"required": services.NOTE_REQUIRED},
    )


class ResolveForm(ActionForm):
    reason = _reason("Resolution note (optional)", required=False)


class ReopenForm(ActionForm):
    reason = _reason("Why is it being reopened?", message="Enter why the ticket is reopened")


class CloseForm(ActionForm):
    reason = _reason("Note (optional)", required=False)


class CancelForm(ActionForm):
    reason = _reason("Why is it being cancelled?", message="Enter why the ticket is cancelled")


@dataclass(frozen=True)
class Action:
    slug: str
    label: str
    form_class: type[ActionForm]
    service: Callable[..., Ticket]
    success: str

    def offered(self, ticket: Ticket) -> bool:
        """Offered exactly when the service accepts it: ``statuses.ALLOWED_ACTIONS``."""
        return statuses.allows(ticket.status, self.slug)


ACTIONS: dict[str, Action] = {
    action.slug: action
    for action in (
        Action("note", "Add a work note", NoteForm, services.ticket_add_note, "Note added"),
        Action("assign", "Assign", AssignForm, services.ticket_assign, "Assigned"),
        Action("reassign", "Reassign", ReassignForm, services.ticket_reassign, "Reassigned"),
        Action("hold", "Put on hold", HoldForm, services.ticket_put_on_hold, "Put on hold"),
        Action(
            "off-hold",
            "Take off hold",
            OffHoldForm,
            services.ticket_take_off_hold,
            "Taken off hold",
        ),
        Action("escalate", "Escalate", EscalateForm, services.ticket_escalate, "Escalated"),
        Action("resolve", "Resolve", ResolveForm, services.ticket_resolve, "Resolved"),
        Action("reopen", "Reopen", ReopenForm, services.ticket_reopen, "Reopened"),
        Action("close", "Close", CloseForm, services.ticket_close, "Closed"),
        Action("cancel", "Cancel ticket", CancelForm, services.ticket_cancel, "Cancelled"),
    )
}


# -- logging a ticket ---------------------------------------------------------------------------


def queues_to_log_in(user):
    """Agents log tickets in any queue; queue owners and members in their own."""
    from servicedesk.access import works_every_queue

    queues = Queue.objects.order_by("name", "pk")
    if works_every_queue(user):
        return queues
    return queues.filter(pk__in=Queue.objects.filter(Q(owners=user) | Q(members=user)).values("pk"))


def new_reference(kind: str, now: datetime) -> str:
    """A reference for a ticket logged here: ``INC-20260303-101502-7F3A`` (unique enough that
    a clash is refused by the unique reference, never saved)."""
    prefix = "INC" if kind == Kind.INCIDENT else "SR"
    return f"{prefix}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2).upper()}"


class TicketLogForm(GovukForm):
    """Log a new incident or service request, optionally assigning it at once."""

    kind = _radios(
        "Is it an incident or a service request?",
        Kind.choices,
        "Choose whether it is an incident or a service request",
    )
    summary = forms.CharField(
        label="Summary",
        max_length=250,
        error_messages={
            "required": "Enter a summary",
            "max_length": "Summary must be 250 characters or fewer",
        },
    )
    queue = forms.ModelChoiceField(
        label="Queue",
        queryset=Queue.objects.none(),
        empty_label="Choose a queue",
        error_messages={"required": "Choose the queue to log the ticket in"},
    )
    priority = _radios(
        "Priority", Priority.choices, "Choose the ticket's priority", initial=Priority.P3
    )
    channel = _radios("How did it reach us?", Channel.choices, "Choose how the ticket reached us")
    category = CategoryChoiceField(
        label="Category (optional)",
        required=False,
        empty_label="No category",
    )
    customer_name = forms.CharField(
        label="Customer name (optional)", max_length=200, required=False
    )
    customer_email = forms.EmailField(
        label="Customer e-mail (optional)",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an e-mail address like name@hackney.gov.uk"},
    )
    customer_phone = forms.CharField(
        label="Customer phone (optional)",
        max_length=40,
        required=False,
        help_text="A number to call them back on, if they gave one.",
    )
    customer_directorate = forms.ChoiceField(
        label="Customer directorate (optional)",
        choices=(),
        required=False,
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the customer reported, in their words, and anything already tried.",
    )
    reference = forms.CharField(
        label="Reference (optional)",
        max_length=40,
        required=False,
        help_text="The source system's reference, if there is one; one is made up otherwise.",
    )
    assignee = PersonChoiceField(
        label="Assign to (optional)",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Leave unassigned",
    )

    field_order = (
        "kind",
        "summary",
        "description",
        "queue",
        "priority",
        "channel",
        "category",
        "customer_name",
        "customer_email",
        "customer_phone",
        "customer_directorate",
        "reference",
        "assignee",
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["queue"]).queryset = queues_to_log_in(user)
        cast(forms.ChoiceField, self.fields["customer_directorate"]).choices = [
            ("", "Choose a directorate")
        ] + [(name, name) for name in settings.SERVICEDESK_DIRECTORATES]
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = _people_who_work_tickets()

    def clean_reference(self) -> str:
        from servicedesk.access import can_view_ticket

        reference = self.cleaned_data["reference"].strip()
        existing = Ticket.objects.filter(reference=reference).select_related("queue").first()
        if existing is not None:
            # A link only where this person may open the ticket; otherwise no more than that
            # the reference is in use.
            url = (
                reverse("servicedesk:ticket_detail", args=[existing.reference])
                if can_view_ticket(self.user, existing)
                else None
            )
            raise forms.ValidationError(
                reference_taken(what="ticket", reference=reference, url=url), code="unique"
            )
        return reference

    def log_kwargs(self, *, now: datetime) -> dict[str, Any]:
        """The arguments of ``services.ticket_log`` (without actor and instant)."""
        data = dict(self.cleaned_data)
        data.pop("assignee")
        data["reference"] = data["reference"] or new_reference(data["kind"], now)
        return data


# -- many tickets at once (the queue page) ------------------------------------------------------


@dataclass(frozen=True)
class BulkAction:
    slug: str
    service: Callable[..., Ticket]
    past: str


BULK_ACTIONS: dict[str, BulkAction] = {
    a.slug: a
    for a in (
        BulkAction("assign", services.ticket_assign, "assigned"),
        BulkAction("reassign", services.ticket_reassign, "reassigned"),
        BulkAction("escalate", services.ticket_escalate, "escalated"),
    )
}


class ReferencesField(forms.MultipleChoiceField):
    """Ticket references ticked on the page; the view keeps those in the queue (and says which
    are not), so any short string is taken here."""

    MAX = 500

    def valid_value(self, value):
        return 0 < len(value) <= 40

    def validate(self, value):
        super().validate(value)
        if len(value) > self.MAX:
            raise forms.ValidationError(f"Select at most {self.MAX} tickets at once")


class BulkActionForm(GovukForm):
    """Assign, reassign (with a reason) or escalate the tickets ticked on a queue page.

    Which fields are needed depends on the button pressed (``action``); each ticket then goes
    through the same service as one at a time (``services.tickets_bulk``). So no field says
    "(optional)": each is needed by its button (a reason marked optional was refused).
    """

    mark_optional = False

    action = forms.ChoiceField(
        choices=[(slug, slug) for slug in BULK_ACTIONS],
        error_messages={"required": "Choose what to do with the selected tickets"},
    )
    tickets = ReferencesField(error_messages={"required": "Select the tickets to act on"})
    assignee = PersonChoiceField(
        label="Assign to",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Choose a person",
    )
    queue = forms.ModelChoiceField(
        label="Move to queue",
        queryset=Queue.objects.order_by("name"),
        required=False,
        empty_label="Choose a queue",
    )
    reassign_reason = _reason("Why are they being moved?", required=False)
    level = forms.TypedChoiceField(
        label="Escalate to",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "Choose a level")]
        + [(level.value, level.label) for level in EscalationLevel if level.value > 0],
    )
    escalate_reason = _reason("Why are they being escalated?", required=False)

    REQUIRED: dict[str | None, dict[str, str]] = {
        "assign": {"assignee": "Choose who to assign the tickets to"},
        "reassign": {
            "queue": "Choose the queue to move the tickets to",
            "reassign_reason": "Enter why the tickets are being moved",
        },
        "escalate": {
            "level": "Choose the escalation level",
            "escalate_reason": "Enter why the tickets are being escalated",
        },
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = _people_who_work_tickets()

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean gives cleaned_data
        for field, message in self.REQUIRED.get(data.get("action"), {}).items():
            value = data.get(field)
            if value in (None, "") or (isinstance(value, str) and not value.strip()):
                self.add_error(field, message)
        return data

    @property
    def bulk_action(self) -> BulkAction:
        return BULK_ACTIONS[self.cleaned_data["action"]]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["action"] == "assign":
            return {"assignee": data["assignee"]}
        if data["action"] == "reassign":
            return {"queue": data["queue"], "reason": data["reassign_reason"].strip()}
        return {"level": data["level"], "reason": data["escalate_reason"].strip()}
