"""Admin for reference data; tickets are read-only here (their history is written by services)."""

from django.contrib import admin

from servicedesk.models import Category, Queue, SlaTarget, Ticket, TicketEvent


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "holiday_division")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("owners", "members")
    search_fields = ("name",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "is_mfd_print", "is_new_starter", "is_mover", "is_leaver")
    list_filter = ("is_mfd_print", "is_new_starter", "is_mover", "is_leaver")
    search_fields = ("name",)


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ("kind", "priority", "response_seconds", "resolution_seconds")


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ("sequence", "kind", "at", "actor_name", "from_status", "to_status", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("reference", "kind", "priority", "status", "queue", "logged_at")
    list_filter = ("kind", "priority", "status_class", "queue")
    search_fields = ("reference", "summary", "customer_name")
    list_select_related = ("queue",)
    inlines = (TicketEventInline,)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
