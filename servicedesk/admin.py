"""Admin for reference data; tickets are read-only here (their history is written by services).

Saving a queue or an SLA target goes through ``servicedesk.services``, so the SLA clocks of
open tickets follow a change of hours, holiday division or target, as they follow a change of
bank holidays.
"""

from django.contrib import admin

from servicedesk import services
from servicedesk.models import Category, Queue, SlaTarget, Ticket, TicketEvent


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "holiday_division")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("owners", "members")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        services.queue_save(queue=obj, changed=form.changed_data if change else ())


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "is_mfd_print", "is_new_starter", "is_mover", "is_leaver")
    list_filter = ("is_mfd_print", "is_new_starter", "is_mover", "is_leaver")
    search_fields = ("name",)


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ("kind", "priority", "response_seconds", "resolution_seconds")

    def save_model(self, request, obj, form, change):
        services.sla_target_save(target=obj)

    def delete_model(self, request, obj):
        services.sla_target_delete(target=obj)

    def delete_queryset(self, request, queryset):
        for target in queryset:
            services.sla_target_delete(target=target)


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
