"""Forms of the infogov pages. Views hand cleaned data to a service; service errors come back
onto the form (``apply_service_errors``) so bad input re-renders and saves nothing."""

from django import forms
from django.core.exceptions import ValidationError

from hackperf.dates import DateInputError
from infogov import choices, report, selectors
from infogov.models import Case, Directorate, Service


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class GovukForm(forms.Form):
    """Adds GOV.UK classes and aria-describedby (hint, error) to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "govuk-select lbh-select"
            elif isinstance(widget, forms.Textarea):
                css = "govuk-textarea lbh-textarea"
            else:
                css = "govuk-input lbh-input"
                if isinstance(widget, DateInput | forms.NumberInput):
                    css += " govuk-input--width-10"
            widget.attrs["class"] = css

    def govuk_fields(self) -> list[tuple[forms.BoundField, str]]:
        """(bound field, widget HTML) with aria-describedby and error classes, at render time."""
        rendered = []
        for bound in self:
            ids = []
            attrs = {}
            if bound.help_text:
                ids.append(f"{bound.auto_id}-hint")
            if bound.errors:
                ids.append(f"{bound.auto_id}-error")
                base = bound.field.widget.attrs["class"].split()[0]
                attrs["class"] = f"{bound.field.widget.attrs['class']} {base}--error"
            if ids:
                attrs["aria-describedby"] = " ".join(ids)
            rendered.append((bound, bound.as_widget(attrs=attrs)))
        return rendered


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class CaseLogForm(GovukForm):
    reference = forms.CharField(label="Reference", max_length=40)
    kind = forms.ChoiceField(label="Kind of request", choices=choices.Kind.choices)
    stage = forms.ChoiceField(
        label="Stage", choices=choices.Stage.choices, initial=choices.Stage.REQUEST
    )
    parent = forms.ModelChoiceField(
        label="Original request (for a review or complaint)",
        queryset=Case.objects.filter(stage=choices.Stage.REQUEST).order_by("-received", "pk"),
        required=False,
        to_field_name="reference",
        widget=forms.TextInput,
        help_text="The reference of the request this review or complaint is about.",
    )
    received = forms.DateField(label="Date received", widget=DateInput)
    channel = forms.ChoiceField(label="Received by", choices=choices.Channel.choices)
    subject = forms.CharField(label="Subject", max_length=300)
    directorate = forms.ModelChoiceField(label="Directorate", queryset=Directorate.objects.all())
    service = forms.ModelChoiceField(
        label="Service", queryset=Service.objects.select_related("directorate"), required=False
    )
    officer = OfficerChoiceField(
        label="Case officer", queryset=selectors.case_officers(), required=False
    )
    requester_name = forms.CharField(label="Requester's name", max_length=200)
    requester_email = forms.EmailField(label="Requester's e-mail", required=False)
    requester_address = forms.CharField(
        label="Requester's postal address", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    requester_phone = forms.CharField(label="Requester's phone", max_length=40, required=False)


class CaseAllocateForm(GovukForm):
    officer = OfficerChoiceField(label="Case officer", queryset=selectors.case_officers())


class ClockEventForm(GovukForm):
    kind = forms.ChoiceField(
        label="Event",
        choices=[(k.value, k.label) for k in choices.EventKind if k != choices.EventKind.RESPONDED],
    )
    date = forms.DateField(label="Date", widget=DateInput)
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
    responded = forms.DateField(label="Date responded", widget=DateInput)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(o.value, o.label) for o in choices.Outcome if o != choices.Outcome.WITHDRAWN],
    )
    exemptions = forms.CharField(
        label="Exemptions cited",
        max_length=300,
        required=False,
        help_text="Required when refusing, for example: s.40(2), s.43(2)",
    )
    note = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


ERR_QUARTER = "Choose a quarter from the list (or give it as YYYY-Qn, for example 2026-Q1)"


class PeriodForm(GovukForm):
    period = forms.CharField(
        label="Month or quarter",
        max_length=7,
        required=False,
        help_text="A month as YYYY-MM or a quarter as YYYY-Qn, for example 2026-03 or 2026-Q1",
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


class DirectorDirectoratesForm(forms.Form):
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
