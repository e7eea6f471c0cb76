"""The survey form: a rating, whether it was resolved, a comment, and an opt-out."""

from typing import Any

from django import forms

from hackperf.forms import GovukForm

RATING_CHOICES = [
    ("5", "5 – very satisfied"),
    ("4", "4 – satisfied"),
    ("3", "3 – neither satisfied nor dissatisfied"),
    ("2", "2 – dissatisfied"),
    ("1", "1 – very dissatisfied"),
]
RESOLVED_CHOICES = [("yes", "Yes"), ("no", "No")]

RATING_REQUIRED = "Select how satisfied you are with how your request was handled"
RESOLVED_REQUIRED = "Select yes if your problem or request was resolved"
COMMENT_TOO_LONG = "Your comment must be 2,000 characters or fewer"


class SurveyForm(GovukForm):
    """Rating and resolved are required, unless the person only wants to opt out."""

    rating = forms.ChoiceField(
        label="How satisfied are you with how your request was handled?",
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    resolved = forms.ChoiceField(
        label="Was your problem or request resolved?",
        choices=RESOLVED_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    comment = forms.CharField(
        label="Anything else you want to tell us? (optional)",
        help_text="Do not include personal or financial information.",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        error_messages={"max_length": COMMENT_TOO_LONG},
    )
    opt_out = forms.BooleanField(
        label="Do not send me satisfaction surveys again",
        required=False,
    )

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean gives cleaned_data
        answered = data.get("rating") or data.get("resolved") or data.get("comment")
        if data.get("opt_out") and not answered:
            return data  # only opting out
        if not data.get("rating") and "rating" not in self.errors:
            self.add_error("rating", RATING_REQUIRED)
        if not data.get("resolved") and "resolved" not in self.errors:
            self.add_error("resolved", RESOLVED_REQUIRED)
        return data

    def answer(self) -> dict[str, Any]:
        """The cleaned answer as the service takes it."""
        data = self.cleaned_data
        rating = int(data["rating"]) if data.get("rating") else None
        resolved = {"yes": True, "no": False}.get(data.get("resolved") or "")
        return {
            "rating": rating,
            "resolved": resolved,
            "comment": data.get("comment") or "",
            "opt_out": bool(data.get("opt_out")),
        }
