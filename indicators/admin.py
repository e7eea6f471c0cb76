from django.contrib import admin

from indicators.models import ApiToken, Indicator, PeriodValue, Target, ValueRevision


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "unit", "polarity", "source", "owner")
    search_fields = ("code", "title", "owner")
    prepopulated_fields = {"slug": ("code",)}


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "effective_from", "value", "tolerance_kind", "tolerance_amount")
    list_filter = ("indicator",)


@admin.register(PeriodValue)
class PeriodValueAdmin(admin.ModelAdmin):
    """Read-only: values change through the approval flow on the indicator pages."""

    list_display = ("indicator", "period_start", "value", "status")
    list_filter = ("status", "indicator")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ValueRevision)
class ValueRevisionAdmin(admin.ModelAdmin):
    list_display = ("period_value", "old_value", "reason", "revised_by", "revised_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with ``services.api_token_create`` (shown once); here they are revoked."""

    list_display = ("name", "user", "prefix", "created_at", "is_active")
    readonly_fields = ("user", "name", "prefix", "created_at")

    def has_add_permission(self, request):
        return False
