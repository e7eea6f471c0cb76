"""Admin for the indicators app: reference data is edited here, records are only read.

Definitions, targets and risks are reference data that the DMT may correct in the admin.
Everything with an audit trail is read-only: period values move through the approval flow
on the indicator pages (``services.values.period_value_*``), revisions are that flow's
record, snapshots are written by ``services.snapshots.snapshot_take`` from the history, and a
review pack is frozen for the record. API tokens are made with
``services.api_tokens.api_token_create`` (the raw token is shown once); here they can only be
seen and revoked.
"""

from django.contrib import admin, messages

from indicators.models import (
    ApiToken,
    Indicator,
    PeriodValue,
    ReviewPack,
    Risk,
    Snapshot,
    Target,
    ValueRevision,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen, never added, changed or deleted here (the services own these rows)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ("effective_from", "value", "tolerance_kind", "tolerance_amount", "note")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "unit",
        "polarity",
        "frequency",
        "source",
        "owner",
        "is_public",
    )
    list_filter = ("is_computed", "source", "frequency", "is_public")
    search_fields = ("code", "title", "owner")
    prepopulated_fields = {"slug": ("code",)}
    inlines = (TargetInline,)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "effective_from", "value", "tolerance_kind", "tolerance_amount")
    list_filter = ("indicator",)
    list_select_related = ("indicator",)
    date_hierarchy = "effective_from"


class ValueRevisionInline(admin.TabularInline):
    model = ValueRevision
    extra = 0
    can_delete = False
    fields = ("revised_at", "revised_by", "old_value", "old_numerator", "old_denominator", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PeriodValue)
class PeriodValueAdmin(ReadOnlyAdmin):
    """Read-only: values change through the approval flow on the indicator pages."""

    list_display = ("indicator", "period_start", "value", "numerator", "denominator", "status")
    list_filter = ("status", "indicator")
    list_select_related = ("indicator",)
    date_hierarchy = "period_start"
    inlines = (ValueRevisionInline,)


@admin.register(ValueRevision)
class ValueRevisionAdmin(ReadOnlyAdmin):
    """The record of changes to approved values: read-only."""

    list_display = ("period_value", "old_value", "reason", "revised_by", "revised_at")
    list_select_related = ("period_value__indicator", "revised_by")
    date_hierarchy = "revised_at"


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    """Snapshot figures come from the history (``snapshot`` command, beat job): read-only."""

    list_display = ("instant", "granularity", "metric", "breakdown", "key", "label", "value")
    list_filter = ("granularity", "breakdown", "metric")
    search_fields = ("metric", "label")
    date_hierarchy = "instant"
    # The table grows by thousands of rows a fortnight: no full COUNT(*) on each page.
    show_full_result_count = False


@admin.register(ReviewPack)
class ReviewPackAdmin(admin.ModelAdmin):
    """A frozen review: its figures never change; its commentary and actions may be corrected."""

    list_display = ("fortnight_end", "frozen_at", "frozen_by")
    list_select_related = ("frozen_by",)
    date_hierarchy = "fortnight_end"
    fields = ("fortnight_end", "frozen_at", "frozen_by", "commentary", "actions_agreed", "figures")
    readonly_fields = ("fortnight_end", "frozen_at", "frozen_by", "figures")

    def has_add_permission(self, request):
        return False  # frozen from the review page (services.review_packs.review_pack_freeze)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "likelihood", "impact", "score", "review_date")
    list_filter = ("review_date",)
    search_fields = ("title", "owner", "mitigations")
    filter_horizontal = ("linked_indicators",)
    readonly_fields = ("score", "previous_score")


@admin.action(description="Revoke the selected tokens")
def revoke_tokens(modeladmin, request, queryset):
    revoked = queryset.filter(is_active=True).update(is_active=False)
    modeladmin.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with ``services.api_tokens.api_token_create`` (shown once); here they
    are revoked (untick "active", or the list action). Nothing else about a token changes."""

    list_display = ("name", "user", "prefix", "created_at", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("user", "name", "prefix", "created_at", "is_active")
    readonly_fields = ("user", "name", "prefix", "created_at")
    actions = (revoke_tokens,)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens are kept, so an audit can still name them

    def get_readonly_fields(self, request, obj=None):
        # Revoking is one-way: a revoked token is never made active again (make a new one).
        if obj is not None and not obj.is_active:
            return (*self.readonly_fields, "is_active")
        return self.readonly_fields

    def get_actions(self, request):
        # No bulk delete either (has_delete_permission hides it; be explicit).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
