"""Admin for the infogov app. Personal data is shown only as ``infogov.privacy`` allows.

Staff without ``VIEW_REQUESTER_DATA`` see cases without the requester inline, a SAR without
its subject line, any case without its request text and correspondence notes, clock events
without their notes; they cannot search by the requester's name, and cannot open the
Requester admin at all (not listed, 403 on its URLs).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from infogov import exemptions as exemption_list
from infogov import privacy
from infogov.choices import Kind
from infogov.models import (
    Case,
    CaseNote,
    ClockEvent,
    Directorate,
    DueDateChange,
    Escalation,
    Requester,
    Service,
)
from infogov.services.corrections import case_check, case_save_edited


def may_see_requesters(request) -> bool:
    return privacy.sees_personal_data(request.user)


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ("name", "director_name", "director_email", "group_director_email")
    search_fields = ("name", "director_name")
    filter_horizontal = ("directors",)
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

    def get_fields(self, request, obj=None):
        if may_see_requesters(request):
            return self.fields
        return tuple(name for name in self.fields if name != "note")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


class CaseNoteInline(admin.TabularInline):
    """Correspondence notes, read-only (kept as written); IG officers only (``get_inlines``)."""

    model = CaseNote
    extra = 0
    fields = ("at", "author", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DueDateChangeInline(admin.TabularInline):
    model = DueDateChange
    extra = 0
    fields = ("old", "new", "reason", "at")
    readonly_fields = fields
    can_delete = False


class CaseAdminForm(forms.ModelForm):
    """The admin's case form, checked by the same rules as the case pages (a bad edit is a
    form error, never a due date the engine would not give)."""

    exemption_codes = forms.MultipleChoiceField(
        label="Exemptions cited",
        choices=[(e.code, e.label) for e in exemption_list.BY_CODE.values()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="FOIA exemptions on an FOI request, EIR exceptions on an EIR one.",
    )

    class Meta:
        model = Case
        fields = (  # the admin narrows these to its own (the derived ones are read-only)
            "reference",
            "kind",
            "stage",
            "parent",
            "received",
            "channel",
            "subject",
            "request_text",
            "directorate",
            "service",
            "officer",
            "status",
            "outcome",
            "exemption_codes",
            "exemptions",
            "responded",
            "withdrawn",
        )

    def _post_clean(self):
        # Django's private hook, after the instance holds the edited values (no stubs for it).
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            case_check(case=self.instance)
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]  # private, as above


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Edits go through ``case_save_edited``: changing the date received, the kind,
    the stage or the status recomputes the due date and records the move."""

    form = CaseAdminForm
    list_display = ("reference", "kind", "stage", "received", "due", "status", "directorate")
    list_filter = ("kind", "stage", "status", "directorate")
    search_fields = ("reference",)
    list_select_related = ("directorate",)
    raw_id_fields = ("parent", "officer")
    # Derived by case_recompute_due: never typed in.
    readonly_fields = ("due", "due_working", "regime", "clock_stopped")

    def get_exclude(self, request, obj=None):
        # A SAR's subject line and exemptions can name people (privacy.subject, .exemptions);
        # any case's request text does (privacy.request_text).
        if may_see_requesters(request):
            return super().get_exclude(request, obj)
        if obj is not None and obj.kind == Kind.SAR:
            return ("subject", "exemptions", "request_text")
        return ("request_text",)

    def get_inlines(self, request, obj):
        inlines = [ClockEventInline, DueDateChangeInline]
        if may_see_requesters(request):
            return [RequesterInline, CaseNoteInline, *inlines]
        return inlines

    def get_search_fields(self, request):
        if may_see_requesters(request):
            return ("reference", "requester__name", "requester__email")
        return ("reference",)

    def save_model(self, request, obj, form, change):
        case_save_edited(case=obj, changed=form.changed_data, actor=request.user)


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
