"""The queue page's filters (django-filter), every one labelled."""

from __future__ import annotations

from datetime import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from hackperf.forms import GovukFilterForm
from servicedesk.choices import NOT_DONE_STATUSES, Kind, Priority, Show, Status
from servicedesk.forms import CategoryChoiceField, PersonChoiceField, categories_in_tree_order
from servicedesk.models import Category, Queue, Ticket
from servicedesk.selectors import multiple_reassignments, queue_assignees

STATUS_CHOICES = [(s, Status(s).label) for s in NOT_DONE_STATUSES]


class CategoryChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryChoiceField


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    """A person, offered by name as the table and the bulk actions show them."""

    field_class = PersonChoiceField


class TicketFilterSet(django_filters.FilterSet):
    """Filters for a queue's open tickets; ``show`` is what the queue's counts link to."""

    q = django_filters.CharFilter(method="search", label="Search by reference, summary or customer")
    show = django_filters.ChoiceFilter(
        choices=Show.choices, method="filter_show", label="Show", empty_label="All open tickets"
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="Kind", empty_label="Any kind")
    priority = django_filters.MultipleChoiceFilter(
        choices=Priority.choices, label="Priority", widget=forms.CheckboxSelectMultiple
    )
    status = django_filters.MultipleChoiceFilter(
        choices=STATUS_CHOICES, label="Status", widget=forms.CheckboxSelectMultiple
    )
    assignee_id = PersonChoiceFilter(
        field_name="assignee",
        queryset=get_user_model().objects.none(),
        label="Assigned to",
        empty_label="Anyone",
    )
    category_id = CategoryChoiceFilter(
        queryset=categories_in_tree_order(),
        method="filter_category",
        label="Category",
        empty_label="Any category",
    )

    class Meta:
        model = Ticket
        fields = ["q", "show", "kind", "priority", "status", "assignee_id", "category_id"]
        form = GovukFilterForm

    def __init__(self, *args, queue: Queue | None = None, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        if queue is not None:
            self.filters["assignee_id"].queryset = queue_assignees(queue)

    # ``show`` is the count a queue page shows (its counts link to it, its heading names it),
    # not a filter that narrows the table: the counts above the table are the whole queue's.
    COUNT = "show"

    @classmethod
    def panel_used(cls, query: QueryDict) -> bool:
        """Whether the filters panel made this address (its fields are in it, empty or not),
        so it starts open; not for a sort, a page, or a count link."""
        return any(name in query for name in cls.base_filters if name != cls.COUNT)

    def applied(self) -> list[tuple[str, str]]:
        """Each filter but the count that narrows the table, as (label, value in words), so
        the table says when it shows fewer than the whole queue's counts."""
        form = self.form
        if not form.is_valid():
            return []
        applied = []
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if name == self.COUNT or value in (None, "", [], ()):
                continue
            if isinstance(value, str):
                if not value.strip():
                    continue
                words = f"“{value.strip()}”"
            elif isinstance(field, forms.ModelChoiceField):
                words = field.label_from_instance(value)
            else:
                labels = dict(field.choices)
                words = ", ".join(str(labels.get(v, v)) for v in value)
            applied.append((str(field.label), words))
        return applied

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(summary__icontains=value)
            | Q(customer_name__icontains=value)
            | Q(customer_email__icontains=value)
        )

    def filter_category(self, queryset, name, value):
        """A category's tickets and its subcategories': tickets are filed under the most
        precise one ("Hardware / Laptop fault"), so "Hardware" alone would find none."""
        if value is None:
            return queryset
        return queryset.filter(
            category_id__in=Category.objects.filter(Q(pk=value.pk) | Q(parent=value)).values("pk")
        )

    def filter_show(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.show(value, now=self.now, n=multiple_reassignments())
