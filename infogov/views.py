"""IG pages: the overview of open cases, a case with its deadline's working, case work
forms, escalations, and performance by directorate. No business logic here (services do it)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView, TemplateView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from hackperf import selectors as hackperf_selectors
from hackperf.roles import Perm, perm_name
from hackperf.views import PermissionRequired
from infogov import forms, privacy, selectors, services
from infogov.filtersets import CaseFilterSet
from infogov.models import Case, Directorate
from infogov.peers.comparison import foi_peer_comparison
from infogov.querysets import sees_every_directorate
from infogov.tables import CaseTable, CaseTableWithRequester

may_see_requesters = privacy.sees_personal_data


def directorates_scope(user):
    """None for those who see every directorate, else the directorates a director may see."""
    return None if sees_every_directorate(user) else Directorate.objects.visible_to(user)


class CaseListView(PermissionRequired, SingleTableMixin, FilterView):
    """The IG overview: open cases, overdue and due this week first, filterable and sortable."""

    perm = Perm.VIEW_INFOGOV
    filterset_class = CaseFilterSet
    template_name = "infogov/case_list.html"
    table_pagination = {"per_page": 25}

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
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get(self, request, *args, **kwargs):
        self.today = timezone.localdate()
        self.calendar = selectors.holiday_calendar()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        week_end = self.today + timedelta(days=6 - self.today.weekday())
        context["summary"] = selectors.overview_summary(
            self.object_list, today=self.today, week_end=week_end
        )
        context["today"] = self.today
        context["can_work"] = self.request.user.has_perm(perm_name(Perm.WORK_CASES))
        scope = directorates_scope(self.request.user)
        context["directorates"] = None if scope is None else list(scope.order_by("name"))
        if context["can_work"]:  # IG officers: is the bank-holiday feed failing, or in doubt?
            context["feed"] = hackperf_selectors.bank_holiday_feed_status(now=timezone.now())
            context["missing"], context["failed"] = selectors.escalation_outbox_problems()
        return context


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
            forms.apply_service_errors(form, error)
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

    def perform(self, data):
        return services.case_log(actor=self.request.user, **data)


class CaseAllocateView(CaseActionView):
    form_class = forms.CaseAllocateForm
    title = "Allocate the case"
    submit_label = "Allocate"
    success_message = "Case {case.reference} allocated."

    def get_initial(self):
        return {"officer": self.case.officer}

    def perform(self, data):
        return services.case_allocate(
            case=self.case, officer=data["officer"], actor=self.request.user
        )


class ClockEventCreateView(CaseActionView):
    form_class = forms.ClockEventForm
    title = "Record a clock event"
    submit_label = "Record the event"
    success_message = "Event recorded on {case.reference}; the due date has been recomputed."

    def perform(self, data):
        event = services.case_record_clock_event(case=self.case, actor=self.request.user, **data)
        return event.case


class CaseRespondView(CaseActionView):
    form_class = forms.CaseRespondForm
    title = "Record the response"
    submit_label = "Record the response"
    success_message = "Response to {case.reference} recorded."

    def perform(self, data):
        return services.case_respond(case=self.case, actor=self.request.user, **data)


class CaseCloseView(PermissionRequired, View):
    """POST: close a responded or withdrawn case."""

    perm = Perm.WORK_CASES
    http_method_names = ["post"]

    def post(self, request, pk):
        case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
        try:
            services.case_close(case=case, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Case {case.reference} closed.")
        return HttpResponseRedirect(case.get_absolute_url())


class EscalationListView(PermissionRequired, ListView):
    """Escalations sent: a director's own directorates, or every directorate for IG."""

    perm = Perm.VIEW_INFOGOV
    template_name = "infogov/escalation_list.html"
    context_object_name = "escalations"
    paginate_by = 50

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
            messages.error(request, " ".join(form.errors.get("comment", ["Check the comment."])))
            return HttpResponseRedirect(case.get_absolute_url() + "#acknowledge")
        try:
            created = services.case_acknowledge(
                case=case, user=user, comment=form.cleaned_data["comment"]
            )
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
        d = self.directorate
        return {
            "director_name": d.director_name,
            "director_email": d.director_email,
            "group_director_email": d.group_director_email,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            case=None,
            title=f"E-mail addresses of {self.directorate}",
            submit_label="Save the addresses",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.directorate_update_addresses(directorate=self.directorate, **form.cleaned_data)
        except ValidationError as error:
            forms.apply_service_errors(form, error)
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
    """The Information Governance Group's quarterly report, printable on A4."""

    perm = Perm.VIEW_INFOGOV
    template_name = "infogov/ig_group_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        form = forms.QuarterForm(self.request.GET or None)
        period = selectors.default_quarter(today)
        if form.is_bound and form.is_valid() and form.cleaned_data["quarter"]:
            period = form.cleaned_data["quarter"]
        scope = directorates_scope(self.request.user)
        sections, trend = selectors.ig_group_report(period=period, today=today, directorates=scope)
        context["all_directorates"] = scope is None
        context.update(
            form=form,
            period=period,
            sections=sections,
            trend=trend,
            as_of=min(period.end, today),
            today=today,
            recent=selectors.recent_periods(today, months=0, quarters=6),
            # Council-wide, whoever reads it: the peers' figures are whole councils'.
            peer_comparison=foi_peer_comparison(today=today),
        )
        return context


def may_assign_directorates(user) -> bool:
    """The DMT and IG officers say which directorates each director sees."""
    return user.has_perm(perm_name(Perm.VIEW_REVIEW)) or user.has_perm(perm_name(Perm.WORK_CASES))


class DirectorsMixin:
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
    """Set the directorates one director sees (``services.director_directorates_set``)."""

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
            services.director_directorates_set(
                director=self.director,
                directorates=form.cleaned_data["directorates"],
                actor=self.request.user,
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
            return self.form_invalid(form)
        name = self.director.get_full_name() or self.director.username
        messages.success(self.request, f"{name}'s directorates saved.")
        return HttpResponseRedirect(reverse("infogov:director_list"))
