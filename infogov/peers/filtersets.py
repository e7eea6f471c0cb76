"""Filters of the peers page (django-filter)."""

import django_filters
from django.db.models import Q

from hackperf.forms import GovukForm
from infogov.peers.models import BodyType, PeerBody, PeerStatistic, Source

DEFAULT_YEAR = 2017  # the one year all three sets have


class PeerStatisticFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name", method="search")
    body__body_type = django_filters.ChoiceFilter(
        label="Type", choices=BodyType.choices, empty_label="Any type"
    )
    body__region = django_filters.ChoiceFilter(label="Region", empty_label="Any region")
    source = django_filters.ChoiceFilter(
        label="Source", choices=Source.choices, empty_label="Any source"
    )
    year = django_filters.NumberFilter(label="Year", min_value=1, max_value=9999)

    class Meta:
        model = PeerStatistic
        fields = ["q", "body__body_type", "body__region", "source", "year"]
        form = GovukForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = PeerBody.objects.exclude(region="").order_by("region")
        self.filters["body__region"].extra["choices"] = [
            (r, r) for r in regions.values_list("region", flat=True).distinct()
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(body__name__icontains=value))
