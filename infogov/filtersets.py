"""Filters of the IG overview (django-filter)."""

from datetime import date

import django_filters

from hackperf.forms import GovukForm
from infogov import choices, privacy, selectors
from infogov.forms import narrow_services
from infogov.models import Case, Directorate, Service

DUE_OVERDUE, DUE_THIS_WEEK = "overdue", "this_week"
CLOCK_STOPPED, CLOCK_RUNNING = "stopped", "running"
FLAG_SECOND, FLAG_BEYOND_20 = "second_extension", "beyond_20"
# The "at a glance" dimensions: the overview counts them over the list filtered by the rest.
GLANCE = ("due", "clock", "flag")


def _glance(
    label: str, options: dict[str, str], *, empty_label: str, method: str
) -> django_filters.ChoiceFilter:
    """An "at a glance" filter (``GLANCE``): a few fixed options, value → words, that a
    method of the filterset answers, since none of them is a model field's value."""
    return django_filters.ChoiceFilter(
        label=label, choices=list(options.items()), empty_label=empty_label, method=method
    )


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Reference", method="search")
    due = _glance(
        "Due",
        {DUE_OVERDUE: "Overdue", DUE_THIS_WEEK: "Due this week (today to Sunday)"},
        empty_label="Any due date",
        method="filter_due",
    )
    clock = _glance(
        "Clock",
        {CLOCK_STOPPED: "Stopped (awaiting the requester)", CLOCK_RUNNING: "Running"},
        empty_label="Stopped or running",
        method="filter_clock",
    )
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
    flag = _glance(
        "Extensions",
        {
            FLAG_SECOND: "Second extensions (flagged)",
            FLAG_BEYOND_20: "Extended beyond 20 working days (flagged)",
        },
        empty_label="Any",
        method="filter_flag",
    )

    class Meta:
        model = Case
        fields = [
            "q",
            "due",
            "clock",
            "kind",
            "directorate",
            "service",
            "officer",
            "status",
            "flag",
        ]
        form = GovukForm

    def __init__(self, *args, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
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
        # The service select offers the chosen directorate's services (htmx on its change).
        narrow_services(self.form, empty_label="Any service", query="empty=any")

    def filter_due(self, queryset, name, value):
        if value == DUE_OVERDUE:
            return queryset.filter(due__lt=self.today)
        if value == DUE_THIS_WEEK:
            return queryset.filter(due__gte=self.today, due__lte=selectors.week_end_of(self.today))
        return queryset

    def filter_clock(self, queryset, name, value):
        if value in (CLOCK_STOPPED, CLOCK_RUNNING):
            return queryset.filter(clock_stopped=value == CLOCK_STOPPED)
        return queryset

    def filter_flag(self, queryset, name, value):
        flags = {
            FLAG_SECOND: selectors.SECOND_EXTENSION_FLAGS,
            FLAG_BEYOND_20: selectors.BEYOND_20_FLAGS,
        }.get(value)
        return queryset.filter(selectors.extension_flagged(flags)) if flags else queryset

    def queryset_without(self, names) -> "object":
        """The cases filtered by every filter but ``names``: what the "at a glance" counts
        count, so each count says how many its link will list."""
        if not self.is_valid():
            return self.qs
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def search(self, queryset, name, value):
        # What may be searched is the redaction rule's (privacy.search): the reference for
        # everyone, subject and notes for IG officers only; never the requester's name.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(privacy.search(value, personal=self.personal))
