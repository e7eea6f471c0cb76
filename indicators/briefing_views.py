"""The Mayor's briefing (laid out for A4 print) and the risk register's forms."""

from collections import Counter
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from hackperf import registry
from hackperf.roles import Perm, perm_name
from hackperf.views import PermissionRequired, ServiceFormMixin, signed_in
from indicators import selectors
from indicators.forms import BriefingFreezeForm, RiskCloseForm, RiskForm
from indicators.models import BriefingPack, Risk
from indicators.periods import shift_month
from indicators.rag import Rag
from indicators.services.briefings import briefing_freeze
from indicators.services.risks import risk_close, risk_register_mark_briefed, risk_save

RATED = (Rag.RED, Rag.AMBER, Rag.GREEN)
FOI_CODES = ("FR ICT 18a", "FR ICT 18b", "FR ICT 18c")
SAR_CODES = ("FR ICT 19a", "FR ICT 19b", "FR ICT 19c")


def ig_metrics() -> dict[str, str]:
    """The open-case figures of the FOI and SAR summary, {code: column heading}, in the order
    registered: the snapshot metrics whose declarations name a ``briefing`` heading."""
    return {
        m.code: m.briefing for m in registry.all_metrics(*registry.SNAPSHOT_KINDS) if m.briefing
    }


def briefing_context(*, today: date) -> dict[str, Any]:
    """Everything the briefing shows, as of now: the live page and a frozen copy alike.

    One reporting month for every indicator (``selectors.reporting_month``), an opening
    summary (RAG counts, what moved most since the last frozen briefing, risks whose score
    rose), the indicators, the FOI and SAR summary and the open risks. A fixed number of
    queries.
    """
    month = selectors.reporting_month()
    rows = selectors.scorecard(today=today, approved_only=True, month=month)
    cards = [
        selectors.scorecard_card(row, no_value="No approved value", month=month) for row in rows
    ]
    by_code = {card["row"].indicator.code: card for card in cards}
    last_pack = BriefingPack.objects.only("reporting_month", "meeting", "frozen_at").first()
    since = None
    if month is not None:
        since = shift_month(month, -1)
        if last_pack and last_pack.reporting_month and last_pack.reporting_month < month:
            since = last_pack.reporting_month
    ig_codes = ig_metrics()
    ig_instant, ig_rows = selectors.latest_snapshot_figures(prefix="infogov.")
    kinds: dict[str, dict[str, Any]] = {}
    for snapshot in ig_rows:
        if snapshot.metric not in ig_codes:
            continue
        column = kinds.setdefault(
            snapshot.key or "all",
            {"label": snapshot.label or "All cases", "values": {}},
        )
        column["values"][snapshot.metric] = snapshot.value
    risks = list(Risk.objects.open().prefetch_related("linked_indicators"))
    # How we compare on FOI: infogov's figures, offered through hackperf.registry.
    peer_comparison = registry.provider("infogov.foi_peer_comparison")(today=today)
    rag_counts = Counter(card["row"].rag for card in cards if card["row"].latest)
    return {
        "today": today,
        "month": month,
        "since": since,
        "last_pack": last_pack,
        "rag_counts": [(rag_status, rag_counts[rag_status]) for rag_status in RATED],
        "movements": selectors.movements(rows, since=since) if since else [],
        "risks_rose": [risk for risk in risks if risk.score_rose],
        "strategic": [c for c in cards if c["row"].indicator.code not in FOI_CODES + SAR_CODES],
        "foi": [by_code[code] for code in FOI_CODES if code in by_code],
        "sar": [by_code[code] for code in SAR_CODES if code in by_code],
        "ig_instant": ig_instant,
        "ig_metrics": list(ig_codes.items()),
        "ig_columns": [
            {"label": column["label"], "values": [column["values"].get(m) for m in ig_codes]}
            for _, column in sorted(kinds.items(), key=lambda kv: (kv[0] != "all", kv[0]))
        ],
        "risks": risks,
        "peer_comparison": peer_comparison,
    }


class BriefingView(PermissionRequired, TemplateView):
    """The Mayor's 2-to-1 briefing: strategic indicators (approved values only) with target,
    RAG and direction of travel in words and commentary; the FOI and SAR summary; the risk
    register. Print CSS lays it out on two A4 pages. A fixed number of queries."""

    perm = Perm.VIEW_BRIEFING
    template_name = "indicators/briefing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(briefing_context(today=timezone.localdate()))
        can_edit = self.request.user.has_perm(perm_name(Perm.EDIT_RISKS))
        context["can_edit_risks"] = can_edit
        context["packs"] = BriefingPack.objects.only("meeting", "frozen_at")[:5]
        context["freeze_form"] = BriefingFreezeForm() if can_edit else None
        return context


class BriefingFreezeView(PermissionRequired, View):
    """POST-only: freeze the briefing as it reads now, for a meeting (the DMT)."""

    perm = Perm.EDIT_RISKS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = BriefingFreezeForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for text in errors:
                    # An ErrorList yields its messages as str (its __getitem__), whatever
                    # the stubs say of its items.
                    messages.error(request, text)  # type: ignore[arg-type]
            return redirect("indicators:briefing")
        context = briefing_context(today=timezone.localdate())
        body = render_to_string(
            "indicators/includes/_briefing_body.html", {**context, "can_edit_risks": False}
        )
        pack = briefing_freeze(
            meeting=form.cleaned_data["meeting"],
            body=body,
            reporting_month=context["month"],
            by=request.user,
        )
        messages.success(
            request, f"The briefing is frozen for {pack.meeting}: print it from this copy."
        )
        return redirect(pack)


class BriefingPackDetailView(PermissionRequired, DetailView):
    """A frozen briefing, as it read when it was frozen; printed like the live one."""

    perm = Perm.VIEW_BRIEFING
    model = BriefingPack
    context_object_name = "pack"
    template_name = "indicators/briefingpack_detail.html"


class RiskFormMixin(PermissionRequired, ServiceFormMixin):
    perm = Perm.EDIT_RISKS
    form_class = RiskForm
    template_name = "indicators/risk_form.html"
    success_url = reverse_lazy("indicators:briefing")
    risk: Risk | None = None

    def form_save(self, form) -> str:
        data = dict(form.cleaned_data)
        linked = list(data.pop("linked_indicators"))
        risk = risk_save(
            risk=self.risk, linked_indicators=linked, by=signed_in(self.request), **data
        )
        return f"Risk “{risk.title}” saved."

    def get_context_data(self, **kwargs):
        return super().get_context_data(risk=self.risk, **kwargs)


class RiskCreateView(RiskFormMixin, FormView):
    """Add a risk to the register (the DMT)."""


class RiskUpdateView(RiskFormMixin, FormView):
    """Change a risk on the register (the DMT), with its history and a way to close it."""

    risk: Risk  # set by dispatch

    def dispatch(self, request, *args, **kwargs):
        self.risk = get_object_or_404(Risk, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            revisions=self.risk.revisions.select_related("changed_by"),
            close_form=RiskCloseForm() if self.risk.closed_at is None else None,
            **kwargs,
        )

    def get_initial(self):
        # The form's fields are the risk's own, so the form names what it starts from.
        return model_to_dict(self.risk, fields=list(RiskForm.base_fields))


class RiskCloseView(PermissionRequired, View):
    """POST-only: take a risk off the register, with why (the DMT)."""

    perm = Perm.EDIT_RISKS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        risk = get_object_or_404(Risk, pk=kwargs["pk"])
        form = RiskCloseForm(request.POST)
        if form.is_valid():
            try:
                risk_close(risk=risk, note=form.cleaned_data["note"], by=request.user)
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
                return redirect(risk)
            messages.success(request, f"Risk “{risk.title}” closed; its history is kept.")
            return redirect("indicators:briefing")
        for text in form.errors["note"]:  # type: ignore[assignment]  # str, as above
            messages.error(request, text)
        return redirect(risk)


class RiskRegisterMarkBriefedView(PermissionRequired, View):
    """POST-only: record today's scores as the last briefing's, for the next movement."""

    perm = Perm.EDIT_RISKS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        count = risk_register_mark_briefed()
        messages.success(request, f"The scores of {count} risks are recorded as this briefing's.")
        return redirect("indicators:briefing")
