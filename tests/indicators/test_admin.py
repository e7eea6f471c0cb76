"""The indicators admin: every page renders for a superuser; audit records stay read-only."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from indicators.choices import Granularity, Status
from indicators.models import ApiToken, PeriodValue, ReviewPack, Snapshot, ValueRevision
from indicators.services.api_tokens import api_token_create
from tests.hackperf.factories import UserFactory
from tests.indicators.factories import (
    IndicatorFactory,
    PeriodValueFactory,
    TargetFactory,
    make_risk,
)

MODELS = tuple(
    model
    for model in apps.get_app_config("indicators").get_models()
    if admin.site.is_registered(model)
)
"""Every model the admin shows (eight in December 2026): one added later is tested too."""
READ_ONLY = (PeriodValue, ValueRevision, Snapshot)


def _url(model, action: str, *args) -> str:
    return reverse(f"admin:indicators_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def one_of_each(db):
    """One row of every model, so each changelist has a row to render."""
    by = UserFactory()
    indicator = IndicatorFactory()
    TargetFactory(indicator=indicator)
    value = PeriodValueFactory(indicator=indicator, status=Status.APPROVED)
    now = timezone.now()
    ValueRevision.objects.create(
        period_value=value,
        old_value=Decimal(80),
        reason="Late data.",
        revised_by=by,
        revised_at=now,
    )
    instant = datetime(2024, 3, 3, 0, 0, tzinfo=UTC)
    Snapshot.objects.create(
        instant=instant,
        granularity=Granularity.FORTNIGHTLY,
        metric="servicedesk.open_incidents",
        breakdown="all",
        key="",
        label="All tickets",
        value=12,
        taken_at=now,
    )
    ReviewPack.objects.create(
        fortnight_end=instant, frozen_at=now, frozen_by=by, figures={"instants": []}
    )
    make_risk(linked_indicators=[indicator])
    token, _ = api_token_create(user=by, name="Power BI")
    return {model: model.objects.first() for model in MODELS} | {ApiToken: token}


class IndicatorAdminTests:
    @pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
    def test_it_renders_each_changelist_and_change_page(self, admin_client, one_of_each, model):
        assert admin_client.get(_url(model, "changelist")).status_code == 200
        obj = one_of_each[model]
        assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200

    @pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
    def test_it_renders_each_empty_changelist(self, admin_client, model):
        assert admin_client.get(_url(model, "changelist")).status_code == 200

    @pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
    def test_it_keeps_audit_records_read_only(self, admin_client, one_of_each, model):
        obj = one_of_each[model]
        assert admin_client.get(_url(model, "add")).status_code == 403
        assert admin_client.get(_url(model, "delete", obj.pk)).status_code == 403
        page = admin_client.get(_url(model, "change", obj.pk)).content.decode()
        assert 'name="_save"' not in page

    def test_it_never_changes_a_frozen_packs_figures(self, admin_client, one_of_each):
        pack = one_of_each[ReviewPack]
        admin_client.post(
            _url(ReviewPack, "change", pack.pk),
            {"commentary": "Corrected.", "actions_agreed": "", "figures": '{"x": 1}'},
        )
        pack.refresh_from_db()
        assert (pack.commentary, pack.figures) == ("Corrected.", {"instants": []})
        assert admin_client.get(_url(ReviewPack, "add")).status_code == 403

    def test_it_revokes_a_token_and_nothing_else(self, admin_client, one_of_each):
        token = one_of_each[ApiToken]
        assert admin_client.get(_url(ApiToken, "add")).status_code == 403
        assert admin_client.get(_url(ApiToken, "delete", token.pk)).status_code == 403
        response = admin_client.post(
            _url(ApiToken, "changelist"),
            {"action": "revoke_tokens", "_selected_action": [token.pk]},
        )
        assert response.status_code == 302
        token.refresh_from_db()
        assert not token.is_active
        # Revoking is one-way: "active" is no longer a field of the form.
        admin_client.post(_url(ApiToken, "change", token.pk), {"is_active": "on"})
        token.refresh_from_db()
        assert (token.is_active, token.name) == (False, "Power BI")

    def test_it_refuses_a_user_who_is_not_staff(self, client, one_of_each):
        client.force_login(UserFactory())
        response = client.get(_url(Snapshot, "changelist"))
        assert response.status_code == 302
