"""The Mayor's briefing (laid out for A4 print) and the risk register's forms."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from hackperf.roles import Perm, perm_name
from hackperf.views import PermissionRequired
from indicators import selectors, services
from indicators.forms import RiskForm
from indicators.models import Risk

FOI_CODES = ("FR ICT 18a", "FR ICT 18b", "FR ICT 18c")
SAR_CODES = ("FR ICT 19a", "FR ICT 19b", "FR ICT 19c")
IG_METRICS = {
    "infogov.open_cases": "Open",
    "infogov.due_within_5_working_days": "Due within 5 working days",
    "infogov.overdue": "Overdue",
}


class BriefingView(PermissionRequired, TemplateView):
    """The Mayor's 2-to-1 briefing: strategic indicators (approved values only) with target,
    RAG and direction of travel in words and commentary; the FOI and SAR summary; the risk
    register. Print CSS lays it out on A4. A fixed number of queries."""

    perm = Perm.VIEW_BRIEFING
    template_name = "indicators/briefing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        cards = [
            selectors.scorecard_card(row, no_value="No approved value")
            for row in selectors.scorecard(today=today, approved_only=True)
        ]
        by_code = {card["row"].indicator.code: card for card in cards}
        ig_instant, ig_rows = selectors.latest_snapshot_figures(prefix="infogov.")
        kinds: dict[str, dict[str, object]] = {}
        for snapshot in ig_rows:
            if snapshot.metric not in IG_METRICS:
                continue
            column = kinds.setdefault(
                snapshot.key or "all",
                {"label": snapshot.label or "All cases", "values": {}},
            )
            column["values"][snapshot.metric] = snapshot.value
        context.update(
            today=today,
            strategic=[c for c in cards if c["row"].indicator.code not in FOI_CODES + SAR_CODES],
            foi=[by_code[code] for code in FOI_CODES if code in by_code],
            sar=[by_code[code] for code in SAR_CODES if code in by_code],
            ig_instant=ig_instant,
            ig_metrics=list(IG_METRICS.items()),
            ig_columns=[
                {"label": column["label"], "values": [column["values"].get(m) for m in IG_METRICS]}
                for _, column in sorted(kinds.items(), key=lambda kv: (kv[0] != "all", kv[0]))
            ],
            risks=Risk.objects.prefetch_related("linked_indicators"),
            can_edit_risks=self.request.user.has_perm(perm_name(Perm.EDIT_RISKS)),
        )
        return context


class RiskFormMixin(PermissionRequired):
    perm = Perm.EDIT_RISKS
    form_class = RiskForm
    template_name = "indicators/risk_form.html"
    risk: Risk | None = None

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        linked = list(data.pop("linked_indicators"))
        risk = services.risk_save(risk=self.risk, linked_indicators=linked, **data)
        messages.success(self.request, f"Risk “{risk.title}” saved.")
        return redirect("indicators:briefing")

    def get_context_data(self, **kwargs):
        return super().get_context_data(risk=self.risk, **kwargs)


class RiskCreateView(RiskFormMixin, FormView):
    """Add a risk to the register (the DMT)."""


class RiskUpdateView(RiskFormMixin, FormView):
    """Change a risk on the register (the DMT)."""

    def dispatch(self, request, *args, **kwargs):
        self.risk = get_object_or_404(Risk, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        risk = self.risk
        return {
            "title": risk.title,
            "owner": risk.owner,
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "mitigations": risk.mitigations,
            "linked_indicators": list(risk.linked_indicators.all()),
            "review_date": risk.review_date,
        }


class RiskRegisterMarkBriefedView(PermissionRequired, View):
    """POST-only: record today's scores as the last briefing's, for the next movement."""

    perm = Perm.EDIT_RISKS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        count = services.risk_register_mark_briefed()
        messages.success(request, f"The scores of {count} risks are recorded as this briefing's.")
        return redirect("indicators:briefing")
