"""Admin for the infogov app. The requester is shown only to holders of VIEW_REQUESTER_DATA.

Staff without that permission see cases without the requester inline, cannot search by the
requester's name, and cannot open the Requester admin at all (not listed, 403 on its URLs).
"""

from django.contrib import admin

from hackperf.roles import Perm, perm_name
from infogov.models import (
    Case,
    ClockEvent,
    Directorate,
    DueDateChange,
    Escalation,
    Requester,
    Service,
)


def may_see_requesters(request) -> bool:
    return request.user.has_perm(perm_name(Perm.VIEW_REQUESTER_DATA))


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ("name", "director_name", "director_email", "group_director_email")
    search_fields = ("name", "director_name")
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "directorate", "lead_name", "lead_email")
    list_filter = ("directorate",)
    search_fields = ("name", "lead_name")


class RequesterInline(admin.StackedInline):
    model = Requester
    can_delete = False
    extra = 0


class ClockEventInline(admin.TabularInline):
    model = ClockEvent
    extra = 0
    fields = ("kind", "date", "extension_reason", "extension_days", "note", "actor")
    readonly_fields = fields
    can_delete = False


class DueDateChangeInline(admin.TabularInline):
    model = DueDateChange
    extra = 0
    fields = ("old", "new", "reason", "at")
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("reference", "kind", "stage", "received", "due", "status", "directorate")
    list_filter = ("kind", "stage", "status", "directorate")
    search_fields = ("reference",)
    list_select_related = ("directorate",)
    raw_id_fields = ("parent", "officer")
    # Derived by services.case_recompute_due: never typed in.
    readonly_fields = ("due", "due_working", "regime", "clock_stopped")

    def get_inlines(self, request, obj):
        inlines = [ClockEventInline, DueDateChangeInline]
        return [RequesterInline, *inlines] if may_see_requesters(request) else inlines

    def get_search_fields(self, request):
        if may_see_requesters(request):
            return ("reference", "requester__name", "requester__email")
        return ("reference",)


@admin.register(Requester)
class RequesterAdmin(admin.ModelAdmin):
    list_display = ("name", "case")
    search_fields = ("name", "email")
    raw_id_fields = ("case",)

    def has_module_permission(self, request):
        return may_see_requesters(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return may_see_requesters(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return may_see_requesters(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return may_see_requesters(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return may_see_requesters(request) and super().has_delete_permission(request, obj)


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("case", "level", "escalated_at", "skipped_reason")
    list_filter = ("level",)
    list_select_related = ("case",)
    raw_id_fields = ("case", "messages")
