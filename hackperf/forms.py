"""The UI kit's forms: every form of the product draws GOV.UK markup from here, once.

GOV.UK's patterns (https://design-system.service.gov.uk/components/) are what people who use
council and government services already know: a date is three boxes (day, month, year) rather
than a browser's date picker, which differs in every browser and which screen readers announce
badly; a choice among a few is radios, among many a select whose first option is a real prompt
("Choose a queue"), several at once checkboxes, never a Ctrl-click multi-select; and every error
says what to do, in the error summary at the top (each linking to its field) and beside the field.

``GovukForm`` puts the classes and ``aria-describedby`` on each widget and swaps Django's
"---------" for a prompt; ``templates/includes/forms/`` draws the fields
(``_field.html``), the error summary (``_error_summary.html``) and the date input.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html

from hackperf import dates

DJANGO_BLANK = "---------"


class DateParts(NamedTuple):
    """What was typed in the boxes of a date input, as typed (kept to re-show on an error)."""

    day: str
    month: str
    year: str


class GovukDateWidget(forms.Widget):
    """GOV.UK's date input: day, month and year boxes in a fieldset.

    The boxes post as ``<name>-day``, ``<name>-month``, ``<name>-year``. A single ``<name>``
    as ``YYYY-MM-DD`` is still read, so scripts, links and older tests that post an ISO date
    keep working. ``error_parts`` (set by the field while cleaning) says which boxes to mark.
    """

    template_name = "includes/forms/_date_input.html"
    use_fieldset = True
    parts: tuple[str, ...] = ("day", "month", "year")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.error_parts: tuple[str, ...] = ()

    def value_from_datadict(self, data, files, name):
        if any(f"{name}-{part}" in data for part in self.parts):
            typed = {part: data.get(f"{name}-{part}") or "" for part in self.parts}
            return DateParts(typed.get("day", "1"), typed["month"], typed["year"])
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}-{part}" in data for part in self.parts)

    def _as_parts(self, value: Any) -> DateParts:
        if isinstance(value, DateParts):
            return value
        if isinstance(value, str) and value:
            try:
                value = date.fromisoformat(value[:10])
            except ValueError:
                return DateParts("", "", "")
        if isinstance(value, date):
            return DateParts(str(value.day), str(value.month), str(value.year))
        return DateParts("", "", "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        typed = self._as_parts(value)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        widths = {"day": 2, "month": 2, "year": 4}
        context["widget"]["parts"] = [
            {
                "name": f"{name}-{part}",
                # The first box carries the field's own id, so the label, the error summary
                # and a link to the field all land on it.
                "id": base_id if i == 0 else f"{base_id}-{part}",
                "label": part.capitalize(),
                "value": getattr(typed, part),
                "width": widths[part],
                "error": part in self.error_parts,
            }
            for i, part in enumerate(self.parts)
        ]
        return context

    def id_for_label(self, id_):
        return id_


class GovukMonthWidget(GovukDateWidget):
    """A month as GOV.UK draws it: month and year boxes (the month's first day is the value)."""

    parts = ("month", "year")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's error messages naming the field.

    ``past=True`` refuses a date after today ("must be today or in the past"): a date received
    or responded cannot be tomorrow. Every date is kept within ``hackperf.dates``' bounds, the
    one rule the site uses for the years it accepts.
    """

    widget = GovukDateWidget
    parts: tuple[str, ...] = ("day", "month", "year")

    def __init__(self, *, past: bool = False, **kwargs: Any) -> None:
        self.past = past
        super().__init__(**kwargs)

    # The label without "(optional)", as messages name the field.
    @property
    def name_in_messages(self) -> str:
        label = str(self.label or "Date")
        return label.removesuffix(" (optional)")

    def _fail(self, message: str, *parts: str) -> ValidationError:
        self.widget.error_parts = parts or self.parts
        return ValidationError(message, code="invalid")

    def _iso(self, text: str) -> date:
        try:
            return dates.parse_date(text)
        except dates.DateInputError as error:
            raise self._fail(str(error)) from None

    def to_python(self, value: Any) -> date | None:
        self.widget.error_parts = ()
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            return self._iso(value.strip()) if value.strip() else None
        typed = {part: str(getattr(value, part, "") or "").strip() for part in self.parts}
        if not any(typed.values()):
            return None
        name = self.name_in_messages
        missing = [part for part in self.parts if not typed[part]]
        if missing:
            raise self._fail(f"{name} must include a {' and '.join(missing)}", *missing)
        longest = {"day": 2, "month": 2, "year": 4}
        bad = [
            part
            for part in self.parts
            if not (typed[part].isascii() and typed[part].isdigit())
            or len(typed[part].lstrip("0") or "0") > longest[part]
        ]
        if bad:
            raise self._fail(f"{name} must be a real date", *bad)
        if len(typed["year"]) != 4:
            raise self._fail(
                f"Year must include 4 numbers, like {timezone.localdate().year}", "year"
            )
        try:
            day = date(int(typed["year"]), int(typed["month"]), int(typed.get("day", "1")))
        except ValueError:
            raise self._fail(f"{name} must be a real date") from None
        return day

    def validate(self, value: date | None) -> None:
        name = self.name_in_messages
        if value is None:
            if self.required:
                self.widget.error_parts = self.parts
                raise ValidationError(self.error_messages["required"], code="required")
            return
        if not dates.EARLIEST <= value <= dates.LATEST:
            raise self._fail(
                f"{name} must be between {dates.EARLIEST:%-d %B %Y} and {dates.LATEST:%-d %B %Y}",
                "year",
            )
        if self.past and value > timezone.localdate():
            raise self._fail(f"{name} must be today or in the past")


class GovukMonthField(GovukDateField):
    """A month (``YYYY-MM`` still read): its value is the first day of the month."""

    widget = GovukMonthWidget
    parts = ("month", "year")

    def _iso(self, text: str) -> date:
        try:
            return dates.parse_month(text[:7] if len(text) == 10 else text)
        except dates.DateInputError as error:
            raise self._fail(str(error)) from None


# -- GovukForm ----------------------------------------------------------------------------------

CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _base_class(widget: forms.Widget) -> str | None:
    """GOV.UK's class for a widget drawn by Django (radios, checkboxes, dates draw their own)."""
    if isinstance(widget, (*CHOICE_WIDGETS, GovukDateWidget, forms.HiddenInput)):
        return None
    if isinstance(widget, forms.CheckboxInput):
        return "govuk-checkboxes__input"
    if isinstance(widget, forms.SelectMultiple):
        return None  # refused by check_no_multi_select below
    if isinstance(widget, forms.Select):
        return "govuk-select lbh-select"
    if isinstance(widget, forms.Textarea):
        return "govuk-textarea lbh-textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "govuk-file-upload lbh-file-upload"
    return "govuk-input lbh-input"


def prompt_for(label: str) -> str:
    """A select's first option when the form names none: "Choose <the label>"."""
    return f"Choose {_lower_first(label.removesuffix(' (optional)'))}"


class GovukMixin:
    """GOV.UK classes, ``aria-describedby`` and error classes on each widget; a real prompt.

    Usable on a ``forms.Form`` (``GovukForm``) and as a django-filter ``FilterSet.Meta.form``.
    The widget attributes are set on this form's own copies of its fields (Django deep-copies
    ``base_fields`` per form), after cleaning too, so the error classes follow the errors.
    """

    template_name = "includes/forms/_fields.html"
    # GOV.UK marks the optional fields, not the required ones ("Service (optional)"); a
    # filter form, all of whose fields are optional, says so once instead (False).
    mark_optional = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            govuk_messages(field)
        self._govuk_decorate()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._govuk_decorate()

    def add_error(self, field: str | None, error: Any) -> None:
        # A service's error arrives after cleaning: the field it names is marked too.
        super().add_error(field, error)  # type: ignore[misc]
        self._govuk_decorate()

    def _govuk_decorate(self) -> None:
        errors = self._errors or {}  # type: ignore[attr-defined]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.SelectMultiple) and not isinstance(
                widget, forms.CheckboxSelectMultiple
            ):
                # No Ctrl-click multi-selects: several choices are checkboxes.
                field.widget = widget = forms.CheckboxSelectMultiple(choices=field.choices)
            if isinstance(widget, forms.Select) and not isinstance(widget, CHOICE_WIDGETS):
                self._govuk_prompt(field)
            base = _base_class(widget)
            bound_id = self[name].auto_id  # type: ignore[index]
            described = []
            if field.help_text:
                described.append(f"{bound_id}-hint")
            if name in errors:
                described.append(f"{bound_id}-error")
            if isinstance(widget, forms.NumberInput) and base is not None:
                base = f"{base} govuk-input--width-4"
            if base is not None:
                css = widget.attrs.get("class", "")
                css = " ".join(c for c in css.split() if not c.endswith("--error"))
                missing = [c for c in base.split() if c not in css.split()]
                css = " ".join([*missing, *css.split()])
                if name in errors and not isinstance(widget, forms.CheckboxInput):
                    css += f" {base.split()[0]}--error"
                widget.attrs["class"] = css
                if described:
                    widget.attrs["aria-describedby"] = " ".join(described)
                else:
                    widget.attrs.pop("aria-describedby", None)

    @staticmethod
    def _govuk_prompt(field: forms.Field) -> None:
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_BLANK:
                field.empty_label = prompt_for(str(field.label))
            return
        choices = list(getattr(field, "choices", []))
        if choices and choices[0][1] == DJANGO_BLANK:
            # Any field with choices (a ChoiceField, a filter's): not an attribute of Field.
            field.choices = [(choices[0][0], prompt_for(str(field.label))), *choices[1:]]  # type: ignore[attr-defined]

    def govuk_error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: the field's first box in error, or the form."""
        summary = []
        for error in self.non_field_errors():  # type: ignore[attr-defined]
            summary.append(("", error))
        for bound in self:  # type: ignore[attr-defined]
            for error in bound.errors:
                summary.append((error_anchor(bound), error))
        return summary

    def govuk_fields(self) -> list[tuple[forms.BoundField, str]]:
        """(bound field, widget HTML): kept for templates that lay fields out one by one."""
        return [(bound, bound.as_widget()) for bound in self]  # type: ignore[attr-defined]


_DJANGO_MESSAGES = {
    "required": str(forms.Field.default_error_messages["required"]),
    "invalid_choice": str(forms.ChoiceField.default_error_messages["invalid_choice"]),
    "invalid_email": str(forms.EmailField.default_error_messages.get("invalid", "")),
}


def govuk_messages(field: forms.Field) -> None:
    """Django's generic messages ("This field is required.") made GOV.UK's: name the field
    and say what to do. A message a form sets itself is kept."""
    label = str(field.label or "").removesuffix(" (optional)") or "an answer"
    what = _lower_first(label)
    messages = field.error_messages
    choosing = isinstance(
        field, forms.ChoiceField | forms.ModelChoiceField | forms.FileField
    ) or isinstance(field.widget, forms.CheckboxInput)
    if str(messages.get("required", "")) == _DJANGO_MESSAGES["required"]:
        messages["required"] = f"Choose {what}" if choosing else f"Enter {what}"
    if "invalid_choice" in messages and str(messages["invalid_choice"]) in (
        _DJANGO_MESSAGES["invalid_choice"],
        str(forms.ModelChoiceField.default_error_messages["invalid_choice"]),
        str(forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"]),
    ):
        messages["invalid_choice"] = f"Choose {what} from the list"
    if isinstance(field, forms.ModelMultipleChoiceField):
        messages.setdefault("invalid_pk_value", f"Choose {what} from the list")
        messages["invalid_pk_value"] = f"Choose {what} from the list"
    if (
        isinstance(field, forms.EmailField)
        and str(messages.get("invalid", "")) == (_DJANGO_MESSAGES["invalid_email"])
    ):
        messages["invalid"] = f"Enter {what} in the right format, like name@hackney.gov.uk"
    if isinstance(field, forms.CharField) and field.max_length and "max_length" not in messages:
        messages["max_length"] = f"{label} must be {field.max_length:,} characters or fewer"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        if str(messages.get("invalid", "")) in (
            str(forms.IntegerField.default_error_messages["invalid"]),
            str(forms.DecimalField.default_error_messages["invalid"]),
            str(forms.FloatField.default_error_messages["invalid"]),
        ):
            kind = "a whole number" if isinstance(field, forms.IntegerField) else "a number"
            messages["invalid"] = f"{label} must be {kind}"
        if "min_value" not in messages and getattr(field, "min_value", None) is not None:
            messages["min_value"] = f"{label} must be {field.min_value} or more"
        if "max_value" not in messages and getattr(field, "max_value", None) is not None:
            messages["max_value"] = f"{label} must be {field.max_value} or less"


def error_anchor(bound: forms.BoundField) -> str:
    """Where an error in the summary links: the box that is wrong, else the first input."""
    widget = bound.field.widget
    if isinstance(widget, CHOICE_WIDGETS):
        return f"{bound.auto_id}_0"
    if isinstance(widget, GovukDateWidget) and widget.error_parts:
        first = widget.error_parts[0]
        return bound.auto_id if first == widget.parts[0] else f"{bound.auto_id}-{first}"
    return bound.auto_id or ""


class GovukForm(GovukMixin, forms.Form):
    """A form drawn in GOV.UK markup: ``{% include "includes/forms/_error_summary.html" %}``
    then ``{{ form }}`` (or ``includes/forms/_field.html`` with ``field=`` one by one)."""


class GovukFilterForm(GovukForm):
    """A list's filters (django-filter's ``Meta.form``): every field optional, none marked."""

    mark_optional = False


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def reference_taken(*, what: str, reference: str, url: str | None) -> str:
    """The message for a reference already in use, saying what to do about it.

    With ``url`` (the person may open the existing record) it links to it; without, it says
    only to use another reference, so it tells nobody more than they may see.
    """
    if url:
        return format_html(
            'A {} with reference {} already exists: <a class="govuk-link" href="{}">open it</a> '
            "or use another reference",
            what,
            reference,
            url,
        )
    return f"A {what} with reference {reference} already exists: use another reference"
