"""Forms of the infogov pages. Views hand cleaned data to a service; service errors come back
onto the form (``apply_service_errors``) so bad input re-renders and saves nothing."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from hackperf.dates import DateInputError
from hackperf.forms import GovukDateField, GovukForm, reference_taken
from infogov import choices, exemptions, report, selectors
from infogov.models import Case, Directorate, Service
from infogov.services.cases import ERR_NOTE_BLANK, ERR_SERVICE_DIRECTORATE


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class ServiceChoiceField(forms.ModelChoiceField):
    """A service, offered under its directorate; narrowed to one directorate's by
    :func:`narrow_services` (and by htmx, ``infogov:service_options``, when it changes)."""

    def label_from_instance(self, obj) -> str:
        return obj.name


def request_text_field(*, rows: int) -> forms.CharField:
    """The request's text as the requester put it: one definition for the log form and the
    correction form, so its limit and its warning (personal data) cannot drift apart."""
    return forms.CharField(
        label="The request",
        widget=forms.Textarea(attrs={"rows": rows}),
        required=False,
        max_length=20000,
        help_text="As the requester put it. Seen by IG officers only.",
    )


def service_choices(services_qs, *, directorate_id=None, empty_label="Choose a service") -> list:
    """The service select's choices: one directorate's services, or (none chosen yet, no JS)
    every directorate's in an optgroup each, so the choice still reads by directorate."""
    rows = list(services_qs.order_by("directorate__name", "name", "pk"))
    if directorate_id is not None:
        return [("", empty_label)] + [
            (s.pk, s.name) for s in rows if str(s.directorate_id) == str(directorate_id)
        ]
    groups: dict[str, list] = {}
    for s in rows:
        groups.setdefault(s.directorate.name, []).append((s.pk, s.name))
    return [("", empty_label), *groups.items()]


def narrow_services(form: forms.Form, *, empty_label="Choose a service", query: str = "") -> None:
    """Offer the services of the directorate the form holds (bound or initial); validation
    still takes any service, so a mismatch gets its own message ("X is a service of Y, not
    of Z") rather than "Select a valid choice"."""
    from django.urls import reverse

    directorate_id = None
    if form.is_bound:
        directorate_id = form.data.get(form.add_prefix("directorate")) or None
    else:
        initial = form.initial.get("directorate")
        directorate_id = getattr(initial, "pk", initial)
    if directorate_id is not None and not str(directorate_id).isdigit():
        directorate_id = None
    field = cast(forms.ModelChoiceField, form.fields["service"])
    field.widget.choices = service_choices(
        field.queryset, directorate_id=directorate_id, empty_label=empty_label
    )
    form.fields["directorate"].widget.attrs.update(
        {
            # htmx: the directorate's change fetches its services' <option>s into the select.
            "hx-get": reverse("infogov:service_options") + (f"?{query}" if query else ""),
            "hx-target": f"#{form['service'].auto_id}",
            "hx-trigger": "change",
            "hx-swap": "innerHTML",
            "aria-controls": form["service"].auto_id,
        }
    )


def check_service_in_directorate(form: forms.Form, cleaned: dict) -> None:
    service, directorate = cleaned.get("service"), cleaned.get("directorate")
    if service is not None and directorate is not None and service.directorate_id != directorate.pk:
        form.add_error(
            "service",
            ERR_SERVICE_DIRECTORATE.format(
                service=service.name, its=service.directorate.name, directorate=directorate.name
            ),
        )


class CaseLogForm(GovukForm):
    reference = forms.CharField(
        label="Reference",
        max_length=40,
        help_text="For example, FOI-2026-0142.",
        error_messages={"required": "Enter the case's reference"},
    )
    kind = forms.ChoiceField(
        label="Kind of request",
        choices=choices.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it is an FOI, EIR or subject access request"},
    )
    stage = forms.ChoiceField(
        label="Stage",
        choices=choices.Stage.choices,
        initial=choices.Stage.REQUEST,
        widget=forms.RadioSelect,
    )
    parent = forms.ModelChoiceField(
        label="Original request (for a review or complaint)",
        queryset=Case.objects.filter(stage=choices.Stage.REQUEST).order_by("-received", "pk"),
        required=False,
        to_field_name="reference",
        widget=forms.TextInput,
        help_text="The reference of the request this review or complaint is about.",
        error_messages={
            "invalid_choice": "Enter the reference of a request already logged, like FOI-2026-0142"
        },
    )
    received = GovukDateField(label="Date received", past=True, help_text="For example, 27 3 2026.")
    channel = forms.ChoiceField(
        label="Received by",
        choices=choices.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the request was received"},
    )
    subject = forms.CharField(label="Subject", max_length=300)
    request_text = request_text_field(rows=6)
    directorate = forms.ModelChoiceField(
        label="Directorate", queryset=Directorate.objects.all(), empty_label="Choose a directorate"
    )
    service = ServiceChoiceField(
        label="Service",
        queryset=Service.objects.select_related("directorate"),
        required=False,
        help_text="A service of the directorate chosen above.",
    )
    officer = OfficerChoiceField(
        label="Case officer",
        queryset=selectors.case_officers(),
        required=False,
        empty_label="Not allocated yet",
    )
    requester_name = forms.CharField(label="Requester's name", max_length=200)
    requester_email = forms.EmailField(label="Requester's e-mail", required=False)
    requester_address = forms.CharField(
        label="Requester's postal address", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    requester_phone = forms.CharField(label="Requester's phone", max_length=40, required=False)

    def __init__(self, *args, case_url=None, **kwargs):
        # case_url(case) -> the URL of a case this person may open, or None.
        self.case_url = case_url
        super().__init__(*args, **kwargs)
        narrow_services(self, empty_label="Choose a service")

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        existing = Case.objects.filter(reference=reference).first()
        if existing is not None:
            url = self.case_url(existing) if self.case_url else None
            raise ValidationError(
                reference_taken(what="case", reference=reference, url=url), code="unique"
            )
        return reference

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean gives cleaned_data
        check_service_in_directorate(self, cleaned)
        return cleaned


class CaseAllocateForm(GovukForm):
    officer = OfficerChoiceField(
        label="Case officer",
        queryset=selectors.case_officers(),
        empty_label="Choose a case officer",
        error_messages={"required": "Choose the case officer to give the case to"},
    )


class ClockEventForm(GovukForm):
    kind = forms.ChoiceField(
        label="Event",
        choices=[(k.value, k.label) for k in choices.EventKind if k != choices.EventKind.RESPONDED],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened"},
    )
    date = GovukDateField(label="Date of the event", past=True, help_text="For example, 27 3 2026.")
    extension_reason = forms.ChoiceField(
        label="Extension reason (extensions only)",
        choices=[("", "Not an extension"), *choices.ExtensionReason.choices],
        required=False,
    )
    extension_days = forms.IntegerField(
        label="Extension in working days (FOI and EIR extensions only)",
        min_value=1,
        max_value=60,
        required=False,
    )
    note = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class CaseRespondForm(GovukForm):
    """The response. An FOI or EIR refusal ticks its exemptions from its law's list
    (``infogov.exemptions``); a SAR's (DPA 2018 Schedules 2-4) are typed."""

    responded = GovukDateField(
        label="Date responded", past=True, help_text="For example, 27 3 2026."
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(o.value, o.label) for o in choices.Outcome if o != choices.Outcome.WITHDRAWN],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the request"},
    )
    exemption_codes = forms.MultipleChoiceField(
        label="Exemptions cited",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Required when refusing. Select all that apply.",
    )
    exemptions = forms.CharField(
        label="Exemptions cited",
        max_length=300,
        required=False,
        help_text="Required when refusing: the DPA 2018 schedule and paragraph, for example "
        "Sch 2 para 16",
    )
    note = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        offered = exemptions.choices_for(kind)
        if offered:
            cast(forms.ChoiceField, self.fields["exemption_codes"]).choices = offered
            law = "FOIA 2000 Part II" if kind == choices.Kind.FOI else "EIR 2004 regs 12 and 13"
            self.fields["exemption_codes"].label = f"Exemptions cited ({law})"
            del self.fields["exemptions"]
        else:
            del self.fields["exemption_codes"]


class CaseRequestTextForm(GovukForm):
    request_text = request_text_field(rows=10)


class CaseNoteForm(GovukForm):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Who you spoke or wrote to and what was said. Seen by IG officers only; "
        "notes are kept as written.",
        error_messages={"required": ERR_NOTE_BLANK},
    )


ERR_QUARTER = "Choose a quarter from the list (or give it as YYYY-Qn, for example 2026-Q1)"


class PeriodForm(GovukForm):
    period = forms.CharField(
        label="Month or quarter",
        max_length=7,
        required=False,
        help_text=capfirst(selectors.PERIOD_FORMATS),
    )

    kinds = forms.ChoiceField(
        label="Requests",
        required=False,
        choices=[("", "All requests"), ("foi_eir", "FOI and EIR"), ("sar", "Subject access")],
    )

    KINDS = {"": (), "foi_eir": ("foi", "eir"), "sar": ("sar",)}

    def clean_period(self):
        value = self.cleaned_data["period"].strip().upper()
        if not value:
            return None
        try:
            return selectors.parse_period(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class QuarterForm(GovukForm):
    """The IG Group report's quarter: a select of the recent quarters (``report.picker_quarters``,
    the current one marked "to date"); an older quarter can still be asked for as YYYY-Qn."""

    quarter = forms.CharField(label="Quarter", required=False, widget=forms.Select)

    def __init__(self, data=None, *, today, **kwargs):
        if data is not None and "quarter" in data:
            data = data.copy()
            data["quarter"] = data["quarter"].strip().upper()
        super().__init__(data, **kwargs)
        selected = None
        if data is not None:
            try:
                selected = selectors.parse_period(data.get("quarter", ""))
            except ValueError:
                selected = None
        current = report.quarter_of(today)
        self.fields["quarter"].widget.choices = [
            (q.key, f"{q.label}, to date" if q == current else q.label)
            for q in report.picker_quarters(
                today, selected if selected and "-Q" in selected.key else None
            )
        ]

    def clean_quarter(self):
        value = self.cleaned_data["quarter"].strip().upper()
        if not value:
            return None
        if "-Q" not in value:
            raise ValidationError(ERR_QUARTER)
        try:
            return selectors.parse_period(value)
        except DateInputError as exc:  # a quarter, but outside the years we keep
            raise ValidationError(str(exc)) from exc
        except ValueError as exc:
            raise ValidationError(ERR_QUARTER) from exc


class DirectorDirectoratesForm(GovukForm):
    """The directorates one director sees (rendered as GOV.UK checkboxes by its template)."""

    directorates = forms.ModelMultipleChoiceField(
        label="Directorates",
        queryset=Directorate.objects.order_by("name", "pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The director sees these directorates' cases, escalations and figures only.",
    )


class AcknowledgeForm(GovukForm):
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the case officer and IG, e.g. what you have asked for. One "
        "acknowledgement covers every level of this case's escalations.",
    )


class DirectorateAddressesForm(GovukForm):
    director_name = forms.CharField(label="Director", max_length=120)
    director_email = forms.EmailField(label="Director's e-mail")
    group_director_email = forms.EmailField(
        label="Group director's e-mail",
        required=False,
        help_text="Receives the overdue escalations. E-mails waiting for this address go out "
        "once it is saved.",
    )
