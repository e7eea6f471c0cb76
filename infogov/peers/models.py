"""Peer bodies and their published FOI statistics, one row per body, source and period."""

from django.db import models

from hackperf.constraints import in_range, unique_rule


class BodyType(models.TextChoices):
    """The kind of authority, for peer groups (``data/README.md`` says where each comes from)."""

    LONDON_BOROUGH = "london_borough", "London borough"
    METROPOLITAN_DISTRICT = "metropolitan_district", "Metropolitan district"
    UNITARY = "unitary", "Unitary authority"
    COUNTY = "county", "County council"
    DISTRICT = "district", "District council"
    SCOTTISH_COUNCIL = "scottish_council", "Scottish council"
    CENTRAL_GOVERNMENT = "central_government", "Central government"
    OTHER = "other", "Other public authority"


# English single-tier councils: one council for every service (no county above them).
SINGLE_TIER = (BodyType.LONDON_BOROUGH, BodyType.METROPOLITAN_DISTRICT, BodyType.UNITARY)
ENGLISH_REGIONS = (
    "London",
    "South East",
    "East of England",
    "South West",
    "East Midlands",
    "West Midlands",
    "North West",
    "North East",
    "Yorkshire and the Humber",
)


class Source(models.TextChoices):
    """The published set a figure was read from (the folder under ``shared/data/real``)."""

    LOCALGOV_2017 = "uk-localgov-foi-stats-2017", "mySociety, FOI in local government (2017)"
    SCOTLAND = "scotland-foisa-stats", "Scottish Information Commissioner statistics"
    CENTRAL = "uk-central-government-foi-stats", "Cabinet Office, government FOI statistics"


class PeerBody(models.Model):
    """A public authority whose published FOI figures we compare against, named as its set
    names it (the same council may carry different names in different sets)."""

    name = models.CharField("name", max_length=200, unique=True)
    body_type = models.CharField("type", max_length=30, choices=BodyType.choices)
    region = models.CharField("region", max_length=60, blank=True)
    classified_from = models.CharField(
        "classified from",
        max_length=200,
        help_text="Where the type and region come from: the set's own columns or the shipped list.",
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "peer bodies"

    def __str__(self) -> str:
        return self.name


class PeerStatistic(models.Model):
    """One body's published FOI figures for one period of one source.

    ``quarter`` is 0 for a whole year. ``year_basis`` says which year: the local-government
    set mixes calendar and financial years (its ``type`` column), so "2017" is not always
    January to December. ``in_time_share`` is a percentage of ``in_time_base`` (the set's own
    denominator: the Cabinet Office leaves on-hold and lapsed requests out).
    """

    body = models.ForeignKey(
        PeerBody, on_delete=models.CASCADE, related_name="statistics", verbose_name="body"
    )
    source = models.CharField("source", max_length=40, choices=Source.choices)
    year = models.PositiveSmallIntegerField("year")
    quarter = models.PositiveSmallIntegerField("quarter", default=0)
    year_basis = models.CharField("year basis", max_length=30, blank=True)
    requests = models.PositiveIntegerField("requests")
    in_time = models.PositiveIntegerField("answered in time", null=True, blank=True)
    in_time_base = models.PositiveIntegerField("in-time denominator", null=True, blank=True)
    in_time_share = models.DecimalField(
        "% in time", max_digits=5, decimal_places=2, null=True, blank=True
    )
    internal_reviews = models.PositiveIntegerField("internal reviews", null=True, blank=True)
    appeals = models.PositiveIntegerField("appeals to the Commissioner", null=True, blank=True)

    class Meta:
        ordering = ["body__name", "source", "year", "quarter", "pk"]
        constraints = [
            unique_rule(
                "one_per_period",
                ["source", "body", "year", "quarter"],
                "A body has one row per source and period.",
            ),
            in_range(
                "quarter_0_to_4", "quarter", 0, 4, "The quarter is 1 to 4, or 0 for a whole year."
            ),
            in_range(
                "share_is_a_percentage",
                "in_time_share",
                0,
                100,
                "The in-time share is a percentage.",
                optional=True,
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.year}" if not self.quarter else f"Q{self.quarter} {self.year}"
        return f"{self.body} {period} ({self.source})"

    @property
    def period_label(self) -> str:
        return f"{self.year}" if not self.quarter else f"Q{self.quarter} {self.year}"
