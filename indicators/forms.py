"""Forms of the indicators app, drawn with GOV.UK Frontend's classes."""

from datetime import date

from django import forms
from django.utils import timezone

from hackperf.dates import DateInputError, check_in_range
from hackperf.forms import GovukDateField, GovukForm, GovukMonthField
from indicators.models import Indicator
from indicators.models.indicators import VALUE_DIGITS
from indicators.review_actions import ACTION_NO_DESCRIPTION, ACTION_NO_NOTE
from indicators.services.briefings import BRIEFING_NO_MEETING
from indicators.services.risks import RISK_CLOSE_NO_NOTE
from indicators.services.values import REVISE_NO_REASON

LIKELIHOOD_WORDS = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}
IMPACT_WORDS = {1: "minor", 2: "moderate", 3: "significant", 4: "major", 5: "severe"}


def _figure_field(label: str, **options) -> forms.DecimalField:
    """A figure as the database keeps it (the model's column: 14 digits, 4 places), typed in
    a narrow box."""
    return forms.DecimalField(
        label=label,
        **VALUE_DIGITS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        **options,
    )


def _text_field(
    label: str, *, required_error: str | None = None, rows: int | None = None, **options
) -> forms.CharField:
    """A text field: required, with ``required_error`` as what an empty one is told, or
    optional without it; a box of ``rows`` lines when given, else one line."""
    if required_error is None:
        options["required"] = False
    else:
        options["error_messages"] = {"required": required_error}
    if rows is not None:
        options["widget"] = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(label=label, **options)


def _commentary_field(*, rows: int, required_error: str | None = None) -> forms.CharField:
    return _text_field(
        "Commentary",
        rows=rows,
        help_text="What explains the figure, and what is being done about it.",
        required_error=required_error,
    )


def _data_quality_note_field() -> forms.CharField:
    return _text_field(
        "Data quality note (optional)",
        rows=2,
        help_text="Anything a reader should know about how complete or reliable the data is.",
    )


def _in_range(day: date) -> date:
    """``day``, if within the dates the site keeps; otherwise the refusal, as the field's error."""
    try:
        return check_in_range(day)
    except DateInputError as error:
        raise forms.ValidationError(str(error)) from None


class PeriodValueForm(GovukForm):
    """A hand-kept indicator's value for a month (``services.values.period_value_enter``)."""

    period_start = GovukMonthField(
        label="Period",
        help_text="The month the value is for, for example 3 2026.",
        error_messages={"required": "Enter the month the value is for"},
    )
    value = _figure_field("Value", error_messages={"required": "Enter the value"})
    numerator = _figure_field(
        "Numerator (optional)",
        required=False,
        help_text="For a percentage: how many met the standard.",
    )
    denominator = _figure_field(
        "Denominator (optional)",
        required=False,
        min_value=0,
        help_text="For a percentage: how many were counted.",
    )
    commentary = _commentary_field(rows=4)
    data_quality_note = _data_quality_note_field()

    def clean_period_start(self) -> date:
        return _in_range(self.cleaned_data["period_start"].replace(day=1))


class PeriodValueReviseForm(PeriodValueForm):
    """New figures for an approved value, and why (``services.values.period_value_revise``)."""

    reason = _text_field(
        "Reason for the change",
        rows=3,
        help_text="Kept with the old figures, for audit.",
        required_error=REVISE_NO_REASON,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["period_start"]


class PeriodValueCommentaryForm(GovukForm):
    """A value's commentary, written by its owner (``services.values.period_value_comment``)."""

    commentary = _commentary_field(
        rows=5, required_error="Write the commentary: what explains the figure."
    )
    data_quality_note = _data_quality_note_field()
    reason = _text_field(
        "Why the commentary is changing (optional)",
        rows=2,
        help_text=(
            "Once a value is checked or approved, its earlier commentary is kept with this "
            "reason. The figures' approval stands."
        ),
    )


class ReviewPackForm(GovukForm):
    """Freeze a fortnight's review (``services.review_packs.review_pack_freeze``)."""

    fortnight_end = forms.DateTimeField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choose the fortnight to freeze from the review page."},
    )
    commentary = _text_field(
        "Commentary", rows=5, help_text="What the DMT made of the fortnight's figures."
    )

    def clean_fortnight_end(self):
        end = self.cleaned_data["fortnight_end"]
        if timezone.is_naive(end):
            raise forms.ValidationError("Choose the fortnight to freeze from the review page.")
        _in_range(end.date())
        return end


def _people_choices():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "pk")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ReviewActionForm(GovukForm):
    """An action agreed at a review (``review_actions.review_action_add``)."""

    description = _text_field(
        "Action", rows=2, max_length=1000, required_error=ACTION_NO_DESCRIPTION
    )
    owner = PersonChoiceField(
        label="Owner",
        queryset=_people_choices(),
        empty_label="Choose who owns it",
        error_messages={
            "required": "Choose who owns the action.",
            "invalid_choice": "Choose who owns the action from the list.",
        },
    )
    due = forms.DateField(
        label="Due",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input--width-10"}, format="%Y-%m-%d"
        ),
        help_text="For example, 2026-12-31.",
        error_messages={
            "required": "Enter the date the action is due.",
            "invalid": "Enter the due date as a date, like 2026-12-31.",
        },
    )

    def clean_due(self) -> date:
        return _in_range(self.cleaned_data["due"])


class ReviewActionCloseForm(GovukForm):
    """Close an action with a note (``review_actions.review_action_close``)."""

    note = _text_field(
        "What was done",
        rows=3,
        max_length=2000,
        help_text="Kept with the action in the review packs.",
        required_error=ACTION_NO_NOTE,
    )


class RiskForm(GovukForm):
    """A risk on the register (``services.risks.risk_save``)."""

    title = _text_field("Risk", max_length=200, required_error="Enter the risk")
    owner = _text_field(
        "Owner",
        max_length=120,
        help_text="A role or a person.",
        required_error="Enter who owns the risk",
    )
    likelihood = forms.TypedChoiceField(
        label="Likelihood",
        coerce=int,
        choices=[
            ("", "Choose a likelihood"),
            *[(n, f"{n} – {w}") for n, w in LIKELIHOOD_WORDS.items()],
        ],
        error_messages={"required": "Choose how likely the risk is, from 1 to 5."},
    )
    impact = forms.TypedChoiceField(
        label="Impact",
        coerce=int,
        choices=[("", "Choose an impact"), *[(n, f"{n} – {w}") for n, w in IMPACT_WORDS.items()]],
        error_messages={"required": "Choose how severe the impact would be, from 1 to 5."},
    )
    mitigations = _text_field(
        "Mitigations", rows=4, required_error="Say what is being done to reduce the risk."
    )
    linked_indicators = forms.ModelMultipleChoiceField(
        label="Linked indicators (optional)",
        queryset=Indicator.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The indicators this risk bears on: each shows the risk on its page.",
    )
    review_date = GovukDateField(
        label="Review date",
        help_text="For example, 31 12 2026.",
        error_messages={"required": "Enter the date the risk is next reviewed."},
    )


class RiskCloseForm(GovukForm):
    """Close a risk, with why (``services.risks.risk_close``)."""

    note = _text_field(
        "Why the risk is being closed",
        rows=3,
        required_error=RISK_CLOSE_NO_NOTE,
    )


class BriefingFreezeForm(GovukForm):
    """Freeze the briefing for a meeting (``services.briefings.briefing_freeze``)."""

    meeting = _text_field(
        "Meeting",
        max_length=200,
        help_text="For example, 2-to-1 with the Mayor, 8 December 2026.",
        required_error=BRIEFING_NO_MEETING,
    )
