"""IG pages: the overview of open cases, a case with its deadline's working, case work
forms, escalations, and performance by directorate. No business logic here (services do it)."""

import csv
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView, TemplateView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from hackperf import selectors as hackperf_selectors
from hackperf.exports import ListCsvMixin, TableCsvMixin, csv_safe, plain
from hackperf.forms import apply_service_errors
from hackperf.roles import Perm, perm_name
from hackperf.views import PermissionRequired
from hackperf.workdays import ALL_DIVISIONS, working_days_between
from infogov import filtersets, forms, privacy, report, selectors
from infogov.filtersets import CaseFilterSet
from infogov.models import Case, Directorate, Service
from infogov.peers.comparison import foi_peer_comparison
from infogov.querysets import sees_every_directorate
from infogov.services.cases import (
    case_allocate,
    case_close,
    case_log,
    case_note_add,
    case_record_clock_event,
    case_request_text_set,
    case_respond,
)
from infogov.services.escalations import (
    case_acknowledge,
    director_directorates_set,
    directorate_update_addresses,
)
from infogov.tables import CaseTable, CaseTableWithRequester

may_see_requesters = privacy.sees_personal_data


def directorates_scope(user):
    """None for those who see every directorate, else the directorates a director may see."""
    return None if sees_every_directorate(user) else Directorate.objects.visible_to(user)


class CaseListView(PermissionRequired, TableCsvMixin, SingleTableMixin, FilterView):
    """The IG overview: open cases, overdue and due this week first, filterable and sortable."""

    perm = Perm.VIEW_INFOGOV
    filterset_class = CaseFilterSet
    template_name = "infogov/case_list.html"
    csv_filename = "open-cases"

    def get_queryset(self):
        user = self.request.user
        return selectors.cases_for_overview(user, with_requester=may_see_requesters(user))

    def get_table_class(self):
        if may_see_requesters(self.request.user):
            return CaseTableWithRequester
        return CaseTable

    def get_table_kwargs(self):
        return {
            "today": self.today,
            "calendar": self.calendar,
            "personal": may_see_requesters(self.request.user),
        }

    def get_filterset_kwargs(self, filterset_class):
        return {
            **super().get_filterset_kwargs(filterset_class),
            "user": self.request.user,
            "today": self.today,
        }

    def get(self, request, *args, **kwargs):
        self.today = timezone.localdate()
        self.calendar = selectors.holiday_calendar()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        week_end = self.today + timedelta(days=6 - self.today.weekday())
        # Counted over the list as filtered by all but the glance filters, so each count
        # is what its link lists.
        counted = self.filterset.queryset_without(filtersets.GLANCE)
        context["summary"] = selectors.overview_summary(
            counted, today=self.today, week_end=week_end
        )
        context["glance"] = glance_links(self.request.GET)
        context["other_filters"] = any(
            value
            for name, value in self.request.GET.items()
            if name not in (*filtersets.GLANCE, "page", "sort")
        )
        context["today"] = self.today
        context["can_work"] = self.request.user.has_perm(perm_name(Perm.WORK_CASES))
        scope = directorates_scope(self.request.user)
        context["directorates"] = None if scope is None else list(scope.order_by("name"))
        if context["can_work"]:  # IG officers: is the bank-holiday feed failing, or in doubt?
            context["feed"] = hackperf_selectors.bank_holiday_feed_status(now=timezone.now())
            context["missing"], context["failed"] = selectors.escalation_outbox_problems()
        return context


def glance_links(query) -> dict[str, dict]:
    """For each "at a glance" count, the list's URL filtered to it (the other filters kept)
    and whether it is the filter shown now."""
    base = query.copy()
    name: str | None
    value: str | None
    for name in (*filtersets.GLANCE, "page"):
        base.pop(name, None)
    links = {}
    for key, name, value in (
        ("overdue", "due", filtersets.DUE_OVERDUE),
        ("due_this_week", "due", filtersets.DUE_THIS_WEEK),
        ("clock_stopped", "clock", filtersets.CLOCK_STOPPED),
        ("second_extensions", "flag", filtersets.FLAG_SECOND),
        ("extensions_beyond_20", "flag", filtersets.FLAG_BEYOND_20),
        ("open", None, None),
    ):
        params = base.copy()
        if name:
            params[name] = value
        current = (
            query.get(name) == value if name else not any(query.get(g) for g in filtersets.GLANCE)
        )
        links[key] = {"url": "?" + params.urlencode(), "current": current}
    return links


class CaseDetailView(PermissionRequired, DetailView):
    """One case: its due date with the working, clock events, due-date history, escalations."""

    perm = Perm.VIEW_INFOGOV
    template_name = "infogov/case_detail.html"
    context_object_name = "case"

    def get_object(self, queryset=None):
        try:
            return selectors.case_for_page(
                self.kwargs["pk"],
                self.request.user,
                with_requester=may_see_requesters(self.request.user),
            )
        except Case.DoesNotExist:
            raise Http404("No such case") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        today = timezone.localdate()
        user = self.request.user
        context["can_see_requester"] = personal = may_see_requesters(user)
        context["subject"] = privacy.subject(case, personal=personal)
        context["request_text"] = privacy.request_text(case, personal=personal)
        context["notes"] = privacy.notes(case, personal=personal)
        context["exemptions"] = privacy.exemptions(case, personal=personal)
        context["events"] = [
            (event, privacy.note(event.note, personal=personal)) for event in case.events.all()
        ]
        if context["can_see_requester"]:
            try:
                context["requester"] = case.requester
            except ObjectDoesNotExist:
                context["requester"] = None
        context["can_work"] = user.has_perm(perm_name(Perm.WORK_CASES))
        if context["can_work"] and personal:
            context["note_form"] = forms.CaseNoteForm()
        context["can_acknowledge"] = (
            user.has_perm(perm_name(Perm.ACKNOWLEDGE_ESCALATIONS))
            and any(not e.is_skipped for e in case.escalations.all())
            and selectors.cases_to_acknowledge(user).filter(pk=case.pk).exists()
        )
        if context["can_acknowledge"]:
            context["acknowledge_form"] = forms.AcknowledgeForm()
        if case.is_open:
            context["days_left"] = selectors.working_days_left(
                today, case.due, calendar=selectors.holiday_calendar()
            )
        context["today"] = today
        return context


class CaseActionView(PermissionRequired, FormView):
    """A form that does one thing to a case through a service; errors re-render the form."""

    perm = Perm.WORK_CASES
    template_name = "infogov/case_form.html"
    title = ""
    submit_label = "Save"
    success_message = ""

    case: Case | None  # None when logging a new case

    def dispatch(self, request, *args, **kwargs):
        self.case = None
        # The role is checked first (403), then whether this case is theirs to see (404).
        if "pk" in kwargs and self.has_permission():
            self.case = get_object_or_404(
                Case.objects.visible_to(request.user).select_related(
                    "directorate", "service", "officer"
                ),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            case=self.case, title=self.title, submit_label=self.submit_label, **kwargs
        )

    def form_valid(self, form):
        try:
            result = self.perform(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message.format(case=result))
        return HttpResponseRedirect(result.get_absolute_url())

    def perform(self, data):  # pragma: no cover - each subclass defines it
        raise NotImplementedError


class CaseCreateView(CaseActionView):
    form_class = forms.CaseLogForm
    title = "Log a case"
    submit_label = "Log the case"
    success_message = "Case {case.reference} logged."

    def get_form_kwargs(self):
        user = self.request.user

        def case_url(case):
            # A link to the case already holding the reference, for those who may open it.
            if Case.objects.visible_to(user).filter(pk=case.pk).exists():
                return case.get_absolute_url()
            return None

        return {**super().get_form_kwargs(), "case_url": case_url}

    def perform(self, data):
        return case_log(actor=self.request.user, **data)


class ExistingCaseActionView(CaseActionView):
    """An action on a case its URL names: ``dispatch`` has set ``case``, so it is never None."""

    case: Case


class CaseAllocateView(ExistingCaseActionView):
    form_class = forms.CaseAllocateForm
    title = "Allocate the case"
    submit_label = "Allocate"
    success_message = "Case {case.reference} allocated."

    def get_initial(self):
        return {"officer": self.case.officer}

    def perform(self, data):
        return case_allocate(case=self.case, officer=data["officer"], actor=self.request.user)


class ClockEventCreateView(ExistingCaseActionView):
    form_class = forms.ClockEventForm
    title = "Record a clock event"
    submit_label = "Record the event"
    success_message = "Event recorded on {case.reference}; the due date has been recomputed."

    def perform(self, data):
        event = case_record_clock_event(case=self.case, actor=self.request.user, **data)
        return event.case


class CaseRespondView(ExistingCaseActionView):
    form_class = forms.CaseRespondForm
    title = "Record the response"
    submit_label = "Record the response"
    success_message = "Response to {case.reference} recorded."

    def get_form_kwargs(self):
        # The exemptions offered are the request's law's: FOIA for FOI, EIR for EIR.
        return {**super().get_form_kwargs(), "kind": self.case.kind}

    def perform(self, data):
        return case_respond(case=self.case, actor=self.request.user, **data)


class CaseRequestTextView(ExistingCaseActionView):
    """Record or correct the request's text (IG officers: it is personal data)."""

    form_class = forms.CaseRequestTextForm
    title = "The request as received"
    submit_label = "Save the request"
    success_message = "The request of {case.reference} saved."

    def get_initial(self):
        return {"request_text": self.case.request_text}

    def perform(self, data):
        return case_request_text_set(case=self.case, request_text=data["request_text"])


class CaseNoteCreateView(ExistingCaseActionView):
    """Add an internal correspondence note (IG officers: notes are personal data)."""

    form_class = forms.CaseNoteForm
    title = "Add a correspondence note"
    submit_label = "Add the note"
    success_message = "Note added to {case.reference}."

    def perform(self, data):
        note = case_note_add(case=self.case, author=self.request.user, text=data["text"])
        return note.case

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code == 302:
            response["Location"] += "#notes"
        return response


class ServiceOptionsView(PermissionRequired, View):
    """The ``<option>``s of the service select for one directorate (htmx, on its change).

    Only the directorates the person may see; a blank directorate gives every service under
    its directorate, as the page does without JavaScript.
    """

    perm = Perm.VIEW_INFOGOV
    http_method_names = ["get"]

    def get(self, request):
        from django.template.loader import render_to_string

        value = request.GET.get("directorate", "").strip()
        directorates = Directorate.objects.visible_to(request.user)
        if value and not (value.isdigit() and len(value) < 10):
            return HttpResponse(
                "Choose a directorate from the list.", status=400, content_type="text/plain"
            )
        if value and not directorates.filter(pk=int(value)).exists():
            raise Http404("No such directorate")
        empty = request.GET.get("empty", "")
        empty_label = "Any service" if empty == "any" else "Choose a service"
        options = forms.service_choices(
            Service.objects.filter(directorate__in=directorates.values("pk")).select_related(
                "directorate"
            ),
            directorate_id=value or None,
            empty_label=empty_label,
        )
        entries = [
            {"group": value, "options": label}
            if isinstance(label, list)
            else {"options": [(value, label)]}
            for value, label in options
        ]
        html = render_to_string("infogov/includes/_service_options.html", {"entries": entries})
        return HttpResponse(html)


class CaseCloseView(PermissionRequired, View):
    """POST: close a responded or withdrawn case."""

    perm = Perm.WORK_CASES
    http_method_names = ["post"]

    def post(self, request, pk):
        case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
        try:
            case_close(case=case, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Case {case.reference} closed.")
        return HttpResponseRedirect(case.get_absolute_url())


class EscalationListView(PermissionRequired, ListCsvMixin, ListView):
    """Escalations sent: a director's own directorates, or every directorate for IG; as CSV
    with ``?format=csv`` (the page's columns, every escalation)."""

    perm = Perm.VIEW_INFOGOV
    template_name = "infogov/escalation_list.html"
    context_object_name = "escalations"
    paginate_by = 50
    csv_filename = "escalations"
    csv_header = (
        "Case",
        "Directorate",
        "Due",
        "Level",
        "Recorded",
        "E-mails",
        "Acknowledged by",
        "Acknowledged on",
        "Acknowledgement comment",
    )

    def csv_row(self, escalation) -> list[object]:
        case = escalation.case
        if escalation.is_skipped:
            mails = f"Skipped: {escalation.skipped_reason}"
        else:
            # Each e-mail's state in the words the page shows (the same include).
            mails = "; ".join(
                str(plain(render_to_string("includes/_outbox_state.html", {"message": m})))
                for m in escalation.messages.all()
            )
        ack = getattr(case, "acknowledgement", None)
        by = ""
        if ack is not None:
            by = (ack.by.get_full_name() or ack.by.username) if ack.by else "someone since removed"
        return [
            case.reference,
            str(case.directorate),
            case.due,
            escalation.get_level_display(),
            escalation.escalated_at,
            mails or "No e-mail recorded.",
            by or "Not yet",
            ack.at if ack else "",
            ack.comment if ack else "",
        ]

    def get_queryset(self):
        return selectors.escalations_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_acknowledge"] = self.request.user.has_perm(
            perm_name(Perm.ACKNOWLEDGE_ESCALATIONS)
        )
        context["all_directorates"] = sees_every_directorate(self.request.user)
        context["can_work"] = self.request.user.has_perm(perm_name(Perm.WORK_CASES))
        if context["can_work"]:
            context["missing"], context["failed"] = selectors.escalation_outbox_problems()
        return context


class CaseAcknowledgeView(PermissionRequired, View):
    """POST: a director acknowledges a case of their directorate, all its levels at once."""

    perm = Perm.ACKNOWLEDGE_ESCALATIONS
    http_method_names = ["post"]

    def post(self, request, pk):
        user = request.user
        case = get_object_or_404(selectors.cases_to_acknowledge(user), pk=pk)
        form = forms.AcknowledgeForm(request.POST)
        if not form.is_valid():
            # An ErrorList yields its messages as str (its __getitem__), whatever the stubs say.
            errors: Iterable[str] = form.errors.get("comment", ["Check the comment."])  # type: ignore[assignment]
            messages.error(request, " ".join(errors))
            return HttpResponseRedirect(case.get_absolute_url() + "#acknowledge")
        try:
            created = case_acknowledge(case=case, user=user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if created:
                messages.success(request, f"Escalations of {case.reference} acknowledged.")
            else:
                messages.info(
                    request, f"The escalations of {case.reference} were already acknowledged."
                )
        return HttpResponseRedirect(case.get_absolute_url())


class DirectorateAddressesView(PermissionRequired, FormView):
    """IG officers keep a directorate's director and addresses current (escalations use them)."""

    perm = Perm.WORK_CASES
    template_name = "infogov/case_form.html"
    form_class = forms.DirectorateAddressesForm

    def dispatch(self, request, *args, **kwargs):
        self.directorate = get_object_or_404(Directorate, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        # The form's fields as the directorate holds them: the form names them, once.
        return model_to_dict(self.directorate, fields=list(self.form_class.base_fields))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            case=None,
            title=f"E-mail addresses of {self.directorate}",
            submit_label="Save the addresses",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            directorate_update_addresses(directorate=self.directorate, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Addresses of {self.directorate} saved. Escalations waiting for them are sent "
            "within a minute.",
        )
        return HttpResponseRedirect(reverse("infogov:escalation_list"))


class DirectoratePerformanceView(PermissionRequired, TemplateView):
    """Per directorate, for a month or quarter: received, responded, % in time, outstanding."""

    perm = Perm.VIEW_INFOGOV
    template_name = "infogov/directorate_performance.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        form = forms.PeriodForm(self.request.GET or None)
        kinds: tuple[str, ...]
        period, kinds = selectors.default_period(today), ()
        if form.is_bound and form.is_valid():
            period = form.cleaned_data["period"] or period
            kinds = forms.PeriodForm.KINDS[form.cleaned_data["kinds"]]
        scope = directorates_scope(self.request.user)
        rows = selectors.directorate_performance(
            start=period.start, end=period.end, today=today, kinds=kinds, directorates=scope
        )
        responded = sum(r.responded for r in rows)
        in_time = sum(r.responded_in_time for r in rows)
        context.update(
            form=form,
            period=period,
            rows=rows,
            totals={
                "received": sum(r.received for r in rows),
                "responded": responded,
                "responded_in_time": in_time,
                "percent_in_time": 100 * in_time / responded if responded else None,
                "outstanding": sum(r.outstanding for r in rows),
                "overdue": sum(r.overdue for r in rows),
            },
            as_of=min(period.end, today),
            recent=selectors.recent_periods(today, months=6, quarters=4),
            totals_label=(
                selectors.ALL_DIRECTORATES if scope is None else selectors.YOUR_DIRECTORATES
            ),
        )
        return context


class IgGroupReportView(PermissionRequired, TemplateView):
    """The Information Governance Group's quarterly report, printable on two A4 pages;
    ``?format=csv`` gives its tables as CSV."""

    perm = Perm.VIEW_INFOGOV
    template_name = "infogov/ig_group_report.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if request.GET.get("format") == "csv":
            return report_csv(context["report"])
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        period = report.default_quarter(today)
        form = forms.QuarterForm(
            self.request.GET or None, today=today, initial={"quarter": period.key}
        )
        if form.is_bound and form.is_valid() and form.cleaned_data["quarter"]:
            period = form.cleaned_data["quarter"]
        elif form.is_bound and form.errors:
            # The error stays; the picker shows the quarter the page does show.
            data = cast(QueryDict, form.data).copy()  # request.GET's
            data["quarter"] = period.key
            form.data = data
        built = report.build(
            period=period, today=today, directorates=directorates_scope(self.request.user)
        )
        current = report.quarter_of(today)
        previous, following = report.shift_quarter(period, -1), report.shift_quarter(period, 1)
        context.update(
            form=form,
            report=built,
            period=period,
            as_at=report.as_of_instant(built, timezone.now()),
            today=today,
            previous=previous,
            following=following if following and following.start <= current.start else None,
            all_directorates=built.all_directorates,
            tables=report_tables(built),
            chart=report.trend_chart(built.trend),
            # Council-wide, whoever reads it: the peers' figures are whole councils'.
            peer_comparison=foi_peer_comparison(today=today),
        )
        return context


def report_tables(built: "report.Report") -> list[dict]:
    """Each section with, for every row, the drill-down URL of each of its figures:
    ``[{"section", "rows": [{"row", "links": {figure: url}}], "total": {...}}]``."""
    base = reverse("infogov:ig_group_report_cases")

    def entry(section, row) -> dict:
        links = {}
        for figure in report.FIGURES:
            query = {"quarter": built.period.key, "group": section.group.key, "figure": figure}
            if row.directorate_id is not None:
                query["directorate"] = row.directorate_id
            links[figure] = f"{base}?{urlencode(query)}"
        return {"row": row, "links": links}

    return [
        {
            "section": section,
            "rows": [entry(section, row) for row in section.rows],
            "total": entry(section, section.total),
        }
        for section in built.sections
    ]


def _percent(value) -> str:
    return "" if value is None else f"{value}"


def report_csv(built: "report.Report") -> HttpResponse:
    """The report's tables as one CSV: a row per directorate and section, then the totals of
    the trend's quarters, each with its indicator's target and RAG."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"ig-group-report-{built.period.key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Quarter",
            "Requests",
            "Directorate",
            *[report.FIGURE_LABELS[f] for f in report.FIGURES],
            "% within the statutory time, without extension",
            "% in time, permitted extensions counted",
            "Indicator",
            "Target",
            "RAG",
            "Quarter ended",
        ]
    )

    def line(period, ended, section_title, row, assessment=None):
        writer.writerow(
            [
                period.key,
                section_title,
                csv_safe(row.directorate),
                *[row.counts[f] for f in report.FIGURES],
                _percent(row.percent_within),
                _percent(row.percent_in_time),
                assessment.code if assessment else "",
                assessment.target_text if assessment else "",
                assessment.label if assessment else "",
                "yes" if ended else "no, figures to date",
            ]
        )

    for section in built.sections:
        for row in section.rows:
            line(built.period, built.ended, section.title, row)
        line(built.period, built.ended, section.title, section.total, section.assessment)
    for quarter in built.trend:
        if quarter.period == built.period:
            continue
        for group, row, assessment in quarter.rows:
            line(quarter.period, quarter.ended, group.title, row, assessment)
    return response


REPORT_CASES_PER_PAGE = 50


class IgGroupReportCasesView(PermissionRequired, TemplateView):
    """The requests behind one figure of the IG Group report, with the facts that made each
    count: received, due, responded, extended, working days late. ``?format=csv`` gives all
    of them. A director sees their own directorates' only."""

    perm = Perm.VIEW_INFOGOV
    template_name = "infogov/ig_group_report_cases.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if request.GET.get("format") == "csv":
            return report_cases_csv(context)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        group = report.GROUP_BY_KEY.get(get.get("group", ""))
        figure = get.get("figure", "")
        directorate = get.get("directorate", "")
        try:
            period = selectors.parse_period(get.get("quarter", ""))
        except ValueError as exc:
            raise Http404("No such quarter") from exc
        if group is None or figure not in report.FIGURES or "-Q" not in period.key:
            raise Http404("No such figure")
        if directorate and not (directorate.isdigit() and len(directorate) < 10):
            raise Http404("No such directorate")
        user = self.request.user
        scope = directorates_scope(user)
        directorate_id = int(directorate) if directorate else None
        directorate_obj = None
        if directorate_id is not None:
            visible = Directorate.objects.visible_to(user)
            directorate_obj = get_object_or_404(visible, pk=directorate_id)
        today = timezone.localdate()
        cases = report.cases_behind(
            period=period,
            today=today,
            group=group,
            figure=figure,
            directorate_id=directorate_id,
            directorates=scope,
        )
        as_of = min(period.end, today)
        calendar = selectors.holiday_calendar()
        personal = privacy.sees_personal_data(user)
        shown: Iterable[Any]
        if get.get("format") == "csv":
            page_obj, shown = None, cases
        else:
            page_obj = Paginator(cases, REPORT_CASES_PER_PAGE).get_page(get.get("page"))
            shown = page_obj.object_list
        rows = [
            report_case_row(case, as_of=as_of, calendar=calendar, personal=personal)
            for case in shown
        ]
        query = get.copy()
        query.pop("page", None)
        query.pop("format", None)
        context.update(
            period=period,
            group=group,
            figure=figure,
            figure_label=report.FIGURE_LABELS[figure],
            directorate=directorate_obj,
            all_directorates=scope is None,
            rows=rows,
            page_obj=page_obj,
            page_query=query.urlencode(),
            as_at=as_of if period.end < today else timezone.now(),
            ended=period.end < today,
        )
        return context


def report_case_row(case: Case, *, as_of, calendar, personal: bool) -> dict:
    """What one listed request shows: its facts as of the report's end day."""
    divisions = ALL_DIVISIONS if case.kind in ("foi", "eir") else selectors.STAFF_DIVISIONS
    answered = case.responded if case.responded and case.responded <= as_of else None
    compare = answered or as_of
    late = working_days_between(case.due, compare, calendar=calendar, divisions=divisions)
    if answered:
        result = "On time" if late <= 0 else f"{late} working day{'s' if late != 1 else ''} late"
    elif case.withdrawn and case.withdrawn <= as_of:
        result = "Withdrawn"
    else:
        result = (
            "Open, not yet due"
            if late <= 0
            else f"Open, {late} working day{'s' if late != 1 else ''} overdue"
        )
    return {
        "case": case,
        "subject": privacy.subject(case, personal=personal),
        "extended": case.extended,  # type: ignore[attr-defined]  # annotated by the query
        "responded": answered,
        "result": result,
    }


def report_cases_csv(context) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"ig-group-report-{context['period'].key}-{context['group'].key}-{context['figure']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Reference",
            "Kind",
            "Directorate",
            "Subject",
            "Received",
            "Due",
            "Responded",
            "Extended",
            "Result",
        ]
    )
    for row in context["rows"]:
        case = row["case"]
        writer.writerow(
            [
                csv_safe(case.reference),
                case.get_kind_display(),
                csv_safe(case.directorate.name),
                csv_safe(row["subject"]),
                case.received.isoformat(),
                case.due.isoformat(),
                row["responded"].isoformat() if row["responded"] else "",
                "yes" if row["extended"] else "no",
                row["result"],
            ]
        )
    return response


def may_assign_directorates(user) -> bool:
    """The DMT and IG officers say which directorates each director sees."""
    return user.has_perm(perm_name(Perm.VIEW_REVIEW)) or user.has_perm(perm_name(Perm.WORK_CASES))


if TYPE_CHECKING:
    _View = View  # what DirectorsMixin goes on, for mypy
else:
    _View = object


class DirectorsMixin(_View):
    def dispatch(self, request, *args, **kwargs):
        if not may_assign_directorates(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DirectorListView(DirectorsMixin, TemplateView):
    """Directors and the directorates whose cases each sees, for the DMT and IG officers."""

    template_name = "infogov/director_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["directors"] = selectors.directors_with_directorates()
        context["can_work"] = self.request.user.has_perm(perm_name(Perm.WORK_CASES))
        return context


class DirectorUpdateView(DirectorsMixin, FormView):
    """Set the directorates one director sees (``director_directorates_set``)."""

    form_class = forms.DirectorDirectoratesForm
    template_name = "infogov/director_form.html"

    def dispatch(self, request, *args, **kwargs):
        if may_assign_directorates(request.user):  # else 403 from DirectorsMixin, never 404
            self.director = get_object_or_404(
                selectors.directors_with_directorates(), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"directorates": list(self.director.infogov_directorates.all())}

    def get_context_data(self, **kwargs):
        return super().get_context_data(director=self.director, **kwargs)

    def form_valid(self, form):
        try:
            director_directorates_set(
                director=self.director,
                directorates=form.cleaned_data["directorates"],
                actor=self.request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        name = self.director.get_full_name() or self.director.username
        messages.success(self.request, f"{name}'s directorates saved.")
        return HttpResponseRedirect(reverse("infogov:director_list"))
