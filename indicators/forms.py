"""Forms of the indicators app, drawn with GOV.UK Frontend's classes."""

from datetime import date

from django import forms

VALUE_FIELD = {"max_digits": 14, "decimal_places": 4}


class GovukForm(forms.Form):
    """Puts GOV.UK classes, error classes and ``aria-describedby`` on each widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            base = (
                "govuk-textarea lbh-textarea"
                if isinstance(widget, forms.Textarea)
                else ("govuk-input lbh-input")
            )
            widget.attrs["class"] = f"{base} {widget.attrs.get('class', '')}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-hint")
            if name in self.errors:
                described.append(f"{bound.auto_id}-error")
                error_class = (
                    "govuk-textarea--error"
                    if isinstance(field.widget, forms.Textarea)
                    else "govuk-input--error"
                )
                field.widget.attrs["class"] += f" {error_class}"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class PeriodValueForm(GovukForm):
    """A hand-kept indicator's value for a month (``services.period_value_enter``)."""

    period_start = forms.DateField(
        label="Month",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(
            attrs={"type": "month", "class": "govuk-input--width-10"}, format="%Y-%m"
        ),
        help_text="The month the value is for, for example 2026-03.",
        error_messages={"invalid": "Enter the month as a year and month, like 2026-03."},
    )
    value = forms.DecimalField(
        label="Value",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        **VALUE_FIELD,
    )
    numerator = forms.DecimalField(
        label="Numerator (optional)",
        required=False,
        help_text="For a percentage: how many met the standard.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        **VALUE_FIELD,
    )
    denominator = forms.DecimalField(
        label="Denominator (optional)",
        required=False,
        min_value=0,
        help_text="For a percentage: how many were counted.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        **VALUE_FIELD,
    )
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What explains the figure, and what is being done about it.",
    )
    data_quality_note = forms.CharField(
        label="Data quality note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything a reader should know about how complete or reliable the data is.",
    )

    def clean_period_start(self) -> date:
        return self.cleaned_data["period_start"].replace(day=1)


class PeriodValueReviseForm(PeriodValueForm):
    """New figures for an approved value, and why (``services.period_value_revise``)."""

    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the old figures, for audit.",
        error_messages={"required": "Say why the approved value is changing."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["period_start"]
