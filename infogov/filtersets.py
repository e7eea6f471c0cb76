"""Filters of the IG overview (django-filter)."""

import django_filters
from django.db.models import Q

from infogov import choices, selectors
from infogov.forms import GovukForm
from infogov.models import Case, Directorate, Service


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Reference or subject", method="search")
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=choices.Kind.choices, empty_label="Any kind"
    )
    directorate = django_filters.ModelChoiceFilter(
        label="Directorate", queryset=Directorate.objects.all(), empty_label="Any directorate"
    )
    service = django_filters.ModelChoiceFilter(
        label="Service",
        queryset=Service.objects.select_related("directorate"),
        empty_label="Any service",
    )
    officer = django_filters.ModelChoiceFilter(
        label="Case officer",
        queryset=selectors.case_officers(),
        empty_label="Any officer",
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(s.value, s.label) for s in choices.OPEN_STATUSES],
        empty_label="Any open status",
    )

    class Meta:
        model = Case
        fields = ["q", "kind", "directorate", "service", "officer", "status"]
        form = GovukForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["officer"].field.label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )

    def search(self, queryset, name, value):
        # Never the requester's name: this filter is open to every role that sees the page.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(subject__icontains=value))
