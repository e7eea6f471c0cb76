import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.choices import Status, ToleranceKind, UpsertResult
from indicators.definitions import definitions as live_definitions
from indicators.models import ApiToken, Indicator, PeriodValue, Target, ValueRevision
from indicators.selectors import api_token_user, target_for
from indicators.services.api_tokens import api_token_create
from indicators.services.definitions import definitions_sync
from indicators.services.targets import target_set
from indicators.services.values import (
    APPROVE_NOT_CHECKED,
    APPROVE_OWN_CHECK,
    APPROVE_OWN_ENTRY,
    CHECK_NO_COMMENTARY,
    CHECK_NOT_ENTERED,
    CHECK_OWN_ENTRY,
    COMMENT_NO_CHANGE,
    ENTER_APPROVED,
    RECOMPUTED_REASON,
    REVISE_NO_REASON,
    REVISE_NOT_APPROVED,
    period_value_approve,
    period_value_check,
    period_value_comment,
    period_value_enter,
    period_value_revise,
    period_value_upsert_computed,
)
from tests.indicators.factories import IndicatorFactory, PeriodValueFactory, TargetFactory

definitions_migration = importlib.import_module("indicators.migrations.0002_definitions")

MARCH_2017 = dt.date(2017, 3, 1)
NOW = dt.datetime(2017, 5, 10, 9, 0, tzinfo=dt.UTC)


def percent(numerator: int, denominator: int) -> dict[str, Decimal]:
    """A percentage value with the count it was worked out from, as the services take it."""
    return {
        "value": Decimal(100 * numerator) / denominator,
        "numerator": Decimal(numerator),
        "denominator": Decimal(denominator),
    }


def refusal(service, **kwargs) -> list[str]:
    """The messages of the ValidationError with which ``service(**kwargs)`` refuses."""
    with pytest.raises(ValidationError) as error:
        service(**kwargs)
    return error.value.messages


@pytest.mark.django_db
class DefinitionsTests:
    def test_the_data_migration_creates_every_indicator(self):
        from django.apps import apps

        Indicator.objects.all().delete()
        definitions_migration.create_definitions(apps, None)
        codes = list(Indicator.objects.values_list("code", flat=True))
        assert codes == [d["code"] for d in live_definitions()]
        assert len(codes) == 12
        assert Indicator.objects.filter(is_computed=False).count() == 2
        assert Indicator.objects.get(code="ICT SAT").source == "surveys"

    def test_the_migrations_frozen_copy_matches_the_live_list(self):
        # 0004 made the volume measures neither higher- nor lower-is-better.
        volume = importlib.import_module(
            "indicators.migrations.0004_volume_measures_and_commentary_revisions"
        ).VOLUME_CODES
        frozen = [
            {**d, "polarity": "none"} if d["code"] in volume else d
            for d in definitions_migration.DEFINITIONS
        ]
        assert frozen == live_definitions()

    def test_sync_restores_missing_ones_keeps_edits_and_is_idempotent(self, definitions):
        Indicator.objects.filter(code="FR ICT 19c").delete()
        Indicator.objects.filter(code="FR ICT 17").update(owner="Someone new")
        definitions_sync()
        definitions_sync()
        codes = [d["code"] for d in live_definitions()]
        assert Indicator.objects.filter(code__in=codes).count() == 12
        assert Indicator.objects.get(code="FR ICT 17").owner == "Someone new"


@pytest.mark.django_db
class TargetTests:
    def test_a_years_target_stays_with_that_years_values_when_the_next_years_changes(self):
        indicator = IndicatorFactory()
        target_set(indicator=indicator, effective_from=dt.date(2016, 4, 1), value=85)
        targets = list(indicator.targets.all())
        assert target_for(targets, dt.date(2017, 3, 1)).value == 85

        # 2017/18's target is set (1 April 2017): March 2017 is still 2016/17's.
        target_set(indicator=indicator, effective_from=dt.date(2017, 4, 1), value=92)
        targets = list(indicator.targets.all())
        assert target_for(targets, dt.date(2017, 3, 1)).value == 85
        assert target_for(targets, dt.date(2016, 4, 1)).value == 85
        assert target_for(targets, dt.date(2017, 4, 1)).value == 92
        assert target_for(targets, dt.date(2018, 1, 1)).value == 92
        assert target_for(targets, dt.date(2016, 3, 1)) is None
        # The queryset agrees with the in-memory rule.
        assert Target.objects.filter(indicator=indicator).effective_on(MARCH_2017).first().value
        assert (
            Target.objects.filter(indicator=indicator).effective_on(MARCH_2017).first().value == 85
        )

    def test_the_table_annotation_reads_the_target_of_each_values_year(self):
        from indicators.selectors import period_values_for_table

        indicator = IndicatorFactory()
        TargetFactory(indicator=indicator, effective_from=dt.date(2016, 4, 1), value=85)
        TargetFactory(indicator=indicator, effective_from=dt.date(2017, 4, 1), value=92)
        PeriodValueFactory(indicator=indicator, period_start=dt.date(2017, 3, 1))
        PeriodValueFactory(indicator=indicator, period_start=dt.date(2017, 4, 1))
        rows = {row.period_start: row.target_value for row in period_values_for_table(indicator)}
        assert rows == {dt.date(2017, 3, 1): 85, dt.date(2017, 4, 1): 92}

    def test_setting_a_target_again_on_the_same_date_updates_it(self):
        indicator = IndicatorFactory()
        for value in (80, 90):
            target_set(
                indicator=indicator,
                effective_from=dt.date(2017, 4, 1),
                value=value,
                tolerance_kind=ToleranceKind.PERCENT,
                tolerance_amount=5,
            )
        target = indicator.targets.get()
        assert target.value == 90
        assert str(target.tolerance) == "5.0000%"

    def test_a_negative_tolerance_is_refused(self):
        with pytest.raises(ValidationError, match="zero or more"):
            target_set(
                indicator=IndicatorFactory(),
                effective_from=dt.date(2017, 4, 1),
                value=90,
                tolerance_amount=-1,
            )


@pytest.mark.django_db
class ApprovalFlowTests:
    @pytest.fixture
    def people(self, make_user):
        return make_user(username="enterer"), make_user(username="checker"), make_user()

    def enter(self, by, value="91.5", indicator=None, **kwargs):
        kwargs.setdefault("commentary", "Explained at the DMT.")
        return period_value_enter(
            indicator=indicator or IndicatorFactory(),
            period_start=MARCH_2017,
            value=Decimal(value),
            by=by,
            now=NOW,
            **kwargs,
        )

    def test_it_moves_entered_checked_approved_by_three_people(self, people):
        enterer, checker, approver = people
        value = self.enter(enterer, numerator=Decimal(183), denominator=Decimal(200))
        assert (value.status, value.entered_by, value.value) == (
            Status.ENTERED,
            enterer,
            Decimal("91.5"),
        )
        value = period_value_check(period_value=value, by=checker, now=NOW)
        assert (value.status, value.checked_by) == (Status.CHECKED, checker)
        value = period_value_approve(period_value=value, by=approver, now=NOW)
        value.refresh_from_db()
        assert (value.status, value.approved_by, value.approved_at) == (
            Status.APPROVED,
            approver,
            NOW,
        )

    def test_the_checker_does_not_approve(self, people):
        enterer, checker, _ = people
        value = period_value_check(period_value=self.enter(enterer), by=checker)
        assert refusal(period_value_approve, period_value=value, by=checker) == [APPROVE_OWN_CHECK]
        assert PeriodValue.objects.get(pk=value.pk).status == Status.CHECKED

    def test_a_value_without_commentary_is_not_checked(self, people):
        enterer, checker, _ = people
        value = self.enter(enterer, commentary="  ")
        assert refusal(period_value_check, period_value=value, by=checker) == [CHECK_NO_COMMENTARY]

    def test_a_computed_value_is_commented_checked_and_approved_by_others(self, people):
        owner, checker, approver = people
        indicator = IndicatorFactory(is_computed=True, source="servicedesk")
        value, _ = period_value_upsert_computed(
            indicator=indicator,
            period_start=MARCH_2017,
            value=Decimal(75),
            numerator=3,
            denominator=4,
            now=NOW,
        )
        value = period_value_comment(
            period_value=value, commentary="Two long outages.", by=owner, now=NOW
        )
        assert not ValueRevision.objects.exists()  # words before the check are not a revision
        value = period_value_check(period_value=value, by=checker, now=NOW)
        with pytest.raises(ValidationError):
            period_value_approve(period_value=value, by=checker, now=NOW)
        value = period_value_approve(period_value=value, by=approver, now=NOW)
        assert (value.status, value.commentary) == (Status.APPROVED, "Two long outages.")

    def test_correcting_commentary_keeps_the_approval_and_the_old_words(self, people):
        enterer, checker, approver = people
        value = self.enter(enterer, commentary="Frist draft")
        value = period_value_check(period_value=value, by=checker, now=NOW)
        value = period_value_approve(period_value=value, by=approver, now=NOW)
        later = NOW + dt.timedelta(days=3)
        value = period_value_comment(
            period_value=value, commentary="First draft", by=enterer, reason="Typo", now=later
        )
        value.refresh_from_db()
        assert (value.status, value.approved_by, value.commentary) == (
            Status.APPROVED,
            approver,
            "First draft",
        )
        revision = ValueRevision.objects.get(period_value=value)
        assert (revision.kind, revision.old_commentary, revision.reason, revision.revised_by) == (
            "commentary",
            "Frist draft",
            "Typo",
            enterer,
        )
        assert revision.old_value == value.value
        assert refusal(
            period_value_comment, period_value=value, commentary="First draft", by=enterer
        ) == [COMMENT_NO_CHANGE]

    def test_nobody_checks_their_own_entry(self, people):
        enterer, _, _ = people
        value = self.enter(enterer)
        assert refusal(period_value_check, period_value=value, by=enterer) == [CHECK_OWN_ENTRY]

    def test_nobody_approves_their_own_entry(self, people):
        enterer, checker, _ = people
        value = self.enter(enterer)
        period_value_check(period_value=value, by=checker)
        assert refusal(period_value_approve, period_value=value, by=enterer) == [APPROVE_OWN_ENTRY]

    def test_it_refuses_to_approve_an_unchecked_value_or_check_twice(self, people):
        enterer, checker, other = people
        value = self.enter(enterer)
        assert refusal(period_value_approve, period_value=value, by=checker) == [
            APPROVE_NOT_CHECKED.format(status="entered")
        ]
        period_value_check(period_value=value, by=checker)
        assert refusal(period_value_check, period_value=value, by=other) == [
            CHECK_NOT_ENTERED.format(status="checked")
        ]

    def test_entering_again_replaces_an_unapproved_value_and_restarts_the_flow(self, people):
        enterer, checker, other = people
        value = self.enter(enterer)
        period_value_check(period_value=value, by=checker)
        again = self.enter(other, value="88", indicator=value.indicator, commentary="Corrected")
        assert again.pk == value.pk
        assert (again.status, again.value, again.entered_by, again.checked_at) == (
            Status.ENTERED,
            Decimal(88),
            other,
            None,
        )
        assert ValueRevision.objects.count() == 0

    def test_it_refuses_to_enter_over_an_approved_value(self, people):
        enterer, checker, approver = people
        value = self.enter(enterer)
        period_value_check(period_value=value, by=checker)
        period_value_approve(period_value=value, by=approver)
        with pytest.raises(ValidationError) as error:
            self.enter(enterer, indicator=value.indicator)
        assert error.value.messages == [ENTER_APPROVED.format(period=MARCH_2017)]

    def test_it_refuses_a_computed_indicator_a_mid_month_day_and_a_future_month(self, people):
        enterer, _, _ = people
        with pytest.raises(ValidationError, match="is computed from"):
            self.enter(enterer, indicator=IndicatorFactory(computed=True))
        for period, text in (
            (dt.date(2017, 3, 2), "first day"),
            (dt.date(2017, 6, 1), "not started"),
        ):
            with pytest.raises(ValidationError, match=text):
                period_value_enter(
                    indicator=IndicatorFactory(), period_start=period, value=1, by=enterer, now=NOW
                )


@pytest.mark.django_db
class RevisionTests:
    @pytest.fixture
    def approved(self, make_user):
        enterer, checker, approver = make_user(), make_user(), make_user()
        value = period_value_enter(
            indicator=IndicatorFactory(),
            period_start=MARCH_2017,
            **percent(183, 200),  # 91.5%
            commentary="Good month.",
            by=enterer,
            now=NOW,
        )
        period_value_check(period_value=value, by=checker)
        return period_value_approve(period_value=value, by=approver), approver

    def test_it_keeps_the_old_figures_with_the_reason_and_restarts_the_flow(self, approved):
        value, approver = approved
        revised = period_value_revise(
            period_value=value,
            **percent(179, 200),  # 89.5%
            reason="Three late-closed incidents were missed.",
            by=approver,
        )
        assert (revised.value, revised.status, revised.entered_by) == (
            Decimal("89.5"),
            Status.ENTERED,
            approver,
        )
        assert revised.commentary == "Good month."
        revision = revised.revisions.get()
        assert (revision.old_value, revision.old_numerator, revision.old_approved_by) == (
            Decimal("91.5"),
            Decimal(183),
            approver,
        )
        assert revision.reason == "Three late-closed incidents were missed."

    def test_it_needs_a_reason(self, approved):
        value, approver = approved
        with pytest.raises(ValidationError) as error:
            period_value_revise(period_value=value, value=1, reason="  ", by=approver)
        assert error.value.message_dict == {"reason": [REVISE_NO_REASON]}
        assert ValueRevision.objects.count() == 0

    def test_it_refuses_an_unapproved_value_and_an_unchanged_one(self, approved, make_user):
        value, approver = approved
        with pytest.raises(ValidationError, match="nothing to revise"):
            period_value_revise(
                period_value=value,
                value=Decimal("91.50"),
                numerator=183,
                denominator=200,
                reason="x",
                by=approver,
            )
        entered = PeriodValueFactory()
        assert refusal(
            period_value_revise, period_value=entered, value=1, reason="x", by=approver
        ) == [REVISE_NOT_APPROVED.format(status="entered")]


@pytest.mark.django_db
class UpsertComputedTests:
    def upsert(self, indicator, numerator=175, denominator=200):
        """The computed value ``numerator`` of ``denominator`` (87.5% unless told)."""
        figures = percent(numerator, denominator)
        return period_value_upsert_computed(
            indicator=indicator, period_start=MARCH_2017, now=NOW, **figures
        )

    def test_it_creates_then_a_second_run_changes_nothing(self):
        indicator = IndicatorFactory(computed=True)
        value, result = self.upsert(indicator)
        assert result == UpsertResult.CREATED
        assert (value.status, value.entered_by, value.numerator) == (
            Status.ENTERED,
            None,
            Decimal(175),
        )
        before = list(PeriodValue.objects.values())
        assert self.upsert(indicator)[1] == UpsertResult.UNCHANGED
        assert list(PeriodValue.objects.values()) == before

    def test_new_figures_replace_an_unapproved_value(self):
        indicator = IndicatorFactory(computed=True)
        self.upsert(indicator)
        value, result = self.upsert(indicator, numerator=176)  # 88%
        assert result == UpsertResult.UPDATED
        assert value.value == 88
        assert PeriodValue.objects.count() == 1
        assert ValueRevision.objects.count() == 0

    def test_an_approved_value_is_revised_never_silently_clobbered(self, make_user):
        indicator = IndicatorFactory(computed=True)
        value, _ = self.upsert(indicator)
        person = make_user()
        # A computed value has no enterer: anyone may comment on and check it, and someone
        # else approves it.
        value = period_value_comment(period_value=value, commentary="Fine.", by=person)
        period_value_check(period_value=value, by=person)
        period_value_approve(period_value=value, by=make_user())
        value, result = self.upsert(indicator, numerator=172)  # 86%
        assert result == UpsertResult.REVISED
        assert value.status == Status.ENTERED
        revision = value.revisions.get()
        assert (revision.old_value, revision.reason, revision.revised_by) == (
            Decimal("87.5"),
            RECOMPUTED_REASON,
            None,
        )
        # Running the job again with the same figures changes nothing more.
        assert self.upsert(indicator, numerator=172)[1] == UpsertResult.UNCHANGED
        assert ValueRevision.objects.count() == 1

    def test_it_refuses_an_entered_indicator(self):
        with pytest.raises(ValidationError, match="entered by hand"):
            self.upsert(IndicatorFactory())


@pytest.mark.django_db
class ApiTokenTests:
    def test_it_stores_only_a_hash_and_finds_the_user_by_the_raw_token(self, make_user):
        user = make_user()
        token, raw = api_token_create(user=user, name="Power BI")
        assert raw not in token.token_hash
        assert token.prefix == raw[:8]
        assert api_token_user(raw) == user
        assert api_token_user(raw + "x") is None
        ApiToken.objects.update(is_active=False)
        assert api_token_user(raw) is None
