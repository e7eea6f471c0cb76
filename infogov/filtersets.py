"""Filters of the IG overview (django-filter)."""

import django_filters

from infogov import choices, privacy, selectors
from infogov.forms import GovukForm
from infogov.models import Case, Directorate, Service


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Reference", method="search")
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A director picks among their own directorates: another's is not a valid choice.
        self.personal = privacy.sees_personal_data(user)
        directorates = Directorate.objects.visible_to(user)
        self.filters["directorate"].queryset = directorates
        self.filters["service"].queryset = self.filters["service"].queryset.filter(
            directorate__in=directorates.values("pk")
        )
        if self.personal:
            self.filters["q"].label = "Reference, subject or notes"
        self.filters["officer"].field.label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )

    def search(self, queryset, name, value):
        # What may be searched is the redaction rule's (privacy.search): the reference for
        # everyone, subject and notes for IG officers only; never the requester's name.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(privacy.search(value, personal=self.personal))
