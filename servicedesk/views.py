"""Service-desk pages: the queue overview, a queue's live page, a ticket, its actions, and
logging a new ticket.

Access (``servicedesk.access``): ``Perm.VIEW_QUEUES`` to see anything; the DMT and agents
see every queue, queue owners their own; acting on a ticket needs ``Perm.WORK_TICKETS`` and,
for queue owners, the ticket to be in one of their queues.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.generic import FormView, TemplateView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin, SingleTableView

from hackperf.exports import TableCsvMixin
from hackperf.roles import Perm
from hackperf.views import PermissionRequired, signed_in
from servicedesk import access, queue_cache, selectors, services
from servicedesk.calendars import queue_calendar
from servicedesk.choices import Show
from servicedesk.filtersets import TicketFilterSet
from servicedesk.forms import ACTIONS, BulkActionForm, TicketLogForm
from servicedesk.models import Queue, Ticket
from servicedesk.services import TransitionError
from servicedesk.tables import QueueTable, RankedTickets, TicketTable

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_htmx.middleware import HtmxDetails

    class _HtmxRequest(HttpRequest):
        htmx: HtmxDetails  # set by django_htmx's HtmxMiddleware

    _LiveView = TemplateView  # what LiveMixin goes on, for mypy
else:
    _LiveView = object


class LiveMixin(_LiveView):
    """A live page: ``self.now`` read once per request, and only ``partial_template_name``
    (the part that refreshes) when htmx re-fetches the same URL, its sort kept."""

    request: _HtmxRequest
    template_name: str
    partial_template_name: str

    def dispatch(self, request, *args, **kwargs):
        self.now = timezone.now()
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        if self.request.htmx:
            return [self.partial_template_name]
        return [self.template_name]


class QueueListView(PermissionRequired, LiveMixin, TableCsvMixin, SingleTableView):
    """Every queue the person may see, with the counts that say where help is needed."""

    perm = Perm.VIEW_QUEUES
    table_class = QueueTable
    template_name = "servicedesk/queue_list.html"
    partial_template_name = "servicedesk/includes/_queue_overview.html"  # the counts
    table_pagination = False
    csv_filename = "queues"

    def get_queryset(self):
        return selectors.queue_overview(user=self.request.user, now=self.now)

    def get_context_data(self, **kwargs):
        from servicedesk.surveys.selectors import comment_queues

        context = super().get_context_data(**kwargs)
        context.update(
            now=self.now,
            refresh_seconds=selectors.refresh_seconds(),
            multiple_reassignments=selectors.multiple_reassignments(),
        )
        # Lazy: the template asks only once, after the table, for the survey links.
        context["can_read_survey_comments"] = lambda: comment_queues(self.request.user) is not None
        return context


class QueueDetailView(PermissionRequired, LiveMixin, TableCsvMixin, SingleTableMixin, FilterView):
    """A queue's open tickets, breached and at risk first; the table refreshes itself."""

    perm = Perm.VIEW_QUEUES
    table_class = TicketTable
    filterset_class = TicketFilterSet
    template_name = "servicedesk/queue_detail.html"
    partial_template_name = "servicedesk/includes/_queue_tickets.html"
    filters_template_name = "servicedesk/includes/_queue_filters.html"

    def get_queue(self) -> Queue:
        if not hasattr(self, "queue"):
            # With its version, read before its tickets: a part drawn from tickets changed
            # since is kept under the old version's key, which nobody asks for again.
            queue = get_object_or_404(
                queue_cache.with_version(Queue.objects.all()), slug=self.kwargs["slug"]
            )
            if not access.can_view_queue(self.request.user, queue):
                raise PermissionDenied
            self.queue = queue
        return self.queue

    @property
    def can_work(self) -> bool:
        if not hasattr(self, "_can_work"):
            self._can_work = access.can_work_queue(self.request.user, self.get_queue())
        return self._can_work

    def get_queryset(self):
        return selectors.queue_open_tickets(queue=self.get_queue(), now=self.now)

    @cached_property
    def counts(self) -> list[selectors.QueueCount]:
        return selectors.queue_counts(queue=self.get_queue(), now=self.now)

    @cached_property
    def show(self) -> str:
        form = self.filterset.form
        return form.cleaned_data.get("show", "") if form.is_valid() else ""

    def rank_sizes(self) -> selectors.RankSizes:
        """The page's rank sizes: from the queue's counts when only a count's link filters
        the page, else one aggregate over the filtered tickets (cached for the request)."""
        if not hasattr(self, "_rank_sizes"):
            form = self.filterset.form
            # No query string leaves the form unbound: every open ticket. An invalid filter
            # shows nothing (FilterView is strict): its sizes are the empty list's.
            plain = not form.is_bound or (
                form.is_valid()
                and not any(value for name, value in form.cleaned_data.items() if name != "show")
            )
            sizes = selectors.rank_sizes_from_counts(self.counts, self.show) if plain else None
            self._rank_sizes = sizes or selectors.rank_sizes(self.object_list, now=self.now)
        return self._rank_sizes

    def get_table_data(self):
        return RankedTickets(self.object_list, now=self.now, sizes=self.rank_sizes)

    @cached_property
    def tickets_key(self) -> str | None:
        """The cache key of this request's tickets part (``queue_cache``); None for the CSV."""
        if self.wants_csv:
            return None
        return queue_cache.key(
            queue=self.get_queue(),
            now=self.now,
            can_work=self.can_work,
            path=self.request.get_full_path(),
        )

    @cached_property
    def kept_tickets_html(self) -> str | None:
        """The tickets part as drawn earlier this minute at this version, if kept."""
        return queue_cache.get(self.tickets_key)

    @cached_property
    def kept_filters_html(self) -> str | None:
        """The filters as drawn earlier this minute at this version, if kept."""
        return queue_cache.get(queue_cache.filters_key(self.tickets_key))

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        return {**kwargs, "queue": self.get_queue(), "now": self.now}

    def get_table_kwargs(self):
        # The bulk-action checkboxes, for those who may work this queue's tickets.
        if not self.can_work:
            return {"exclude": ("select",)}
        return {}

    def get_table(self, **kwargs):
        if self.kept_tickets_html is not None:
            return None  # the part that shows the table is drawn already
        table = super().get_table(**kwargs)
        # The page's tickets, evaluated once: rendering iterates the same cached rows.
        page = getattr(table, "page", None)  # none for the CSV, which is not paginated
        records = [row.record for row in page.object_list] if page else []
        calendar = queue_calendar(self.get_queue())
        table.clocks = selectors.sla_clocks(records, now=self.now, calendar=calendar)

        def prepare_chunk(chunk):
            # The CSV reads every row a chunk at a time: each chunk's clocks.
            table.clocks = selectors.sla_clocks(chunk, now=self.now, calendar=calendar)

        table.prepare_chunk = prepare_chunk
        return table

    def get_csv_filename(self) -> str:
        return f"{self.get_queue().slug}-open-tickets"

    def page_context(self) -> dict[str, object]:
        """What the page shows around its two parts, drawn for every view."""
        return {
            "queue": self.get_queue(),
            "now": self.now,
            "refresh_seconds": selectors.refresh_seconds(),
            "multiple_reassignments": selectors.multiple_reassignments(),
            "bulk_form": self.bulk_form,
            "bulk_ticked": self.bulk_form["tickets"].value() or []
            if self.bulk_form is not None and self.bulk_form.is_bound
            else [],
        }

    @cached_property
    def bulk_form(self) -> BulkActionForm | None:
        """The bulk actions, for those who may work the queue: blank, or as last sent when
        that was refused (``QueueBulkActionView``), with each field's error and the words and
        ticks kept, so nobody ticks twenty tickets again for a forgotten reason."""
        if not self.can_work:
            return None
        draft = (
            None
            if self.request.htmx
            else self.request.session.pop(_draft_key(self.get_queue()), None)
        )
        if not isinstance(draft, dict):
            return BulkActionForm(prefix="bulk")
        data = QueryDict(mutable=True)
        for name, values in draft.items():
            data.setlist(name, values)
        form = BulkActionForm(data, prefix="bulk")
        form.is_valid()  # its errors, shown by each field
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show = self.show
        context.update(self.page_context(), show=show, show_label=Show(show).label if show else "")
        html = self.kept_tickets_html
        if html is None:
            context["counts"] = self.counts
            context["filters_applied"] = context["filter"].applied()
            html = render_to_string(self.partial_template_name, context, request=self.request)
            queue_cache.put(self.tickets_key, html)
        context["tickets_html"] = mark_safe(html)  # noqa: S308 (drawn by our template)
        if not self.request.htmx:
            filters = self.kept_filters_html
            if filters is None:
                context["filters_open"] = TicketFilterSet.panel_used(self.request.GET)
                filters = render_to_string(self.filters_template_name, context, self.request)
                queue_cache.put(queue_cache.filters_key(self.tickets_key), filters)
            context["filters_html"] = mark_safe(filters)  # noqa: S308 (drawn by our template)
        return context

    def get(self, request, *args, **kwargs):
        # Kept parts are served without building what draws them (the filters, their
        # choices, the queryset, the table): htmx asks for the tickets part alone; the page
        # needs the filters too.
        tickets = self.kept_tickets_html
        if tickets is not None and request.htmx:
            return HttpResponse(tickets)
        if tickets is not None and self.kept_filters_html is not None:
            return self.render_to_response(
                {
                    "view": self,
                    **self.page_context(),
                    "tickets_html": mark_safe(tickets),  # noqa: S308 (drawn by our template)
                    "filters_html": mark_safe(self.kept_filters_html),  # noqa: S308
                }
            )
        return super().get(request, *args, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        # htmx asks for the tickets part alone: it is drawn (or kept) already.
        if self.request.htmx:
            return HttpResponse(context["tickets_html"])
        return super().render_to_response(context, **response_kwargs)


DRAFT_LIMIT = 50_000
"""Characters of a refused bulk action kept for its page: 500 references and two reasons."""


def _draft_key(queue: Queue) -> str:
    """Where a refused bulk action waits, in the session, for its queue's page."""
    return f"servicedesk:bulk-draft:{queue.pk}"


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class QueueBulkActionView(PermissionRequired, View):
    """POST: assign, reassign or escalate the tickets ticked on a queue page.

    Each ticket goes through the same service as one at a time, in its own transaction (the
    request is not one: a refused ticket undoes nothing else); the person returns to the queue
    page, with its filters, and reads what was done and what was refused, ticket by ticket.
    """

    perm = Perm.WORK_TICKETS
    http_method_names = ["post"]

    def post(self, request, slug: str):
        queue = get_object_or_404(Queue, slug=slug)
        if not (
            access.can_view_queue(request.user, queue)
            and access.can_work_queue(request.user, queue)
        ):
            raise PermissionDenied
        back = reverse("servicedesk:queue_detail", args=[queue.slug])
        query = request.POST.get("query", "")
        if query:
            # Re-encoded, so only a query string of this page comes back, never another URL.
            back += "?" + urlencode(QueryDict(query).lists(), doseq=True)
        form = BulkActionForm(request.POST, prefix="bulk")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    # An ErrorList yields its messages as str (its __getitem__), whatever
                    # the stubs say of its items.
                    messages.error(request, error)  # type: ignore[arg-type]
            # Back to the page with what was sent, to be corrected rather than redone (unless
            # it is larger than any real form: the session is no place for a bulk upload).
            draft = {
                name: request.POST.getlist(name) for name in request.POST if name[:5] == "bulk-"
            }
            if sum(len(value) for values in draft.values() for value in values) <= DRAFT_LIMIT:
                request.session[_draft_key(queue)] = draft
            return HttpResponseRedirect(back)
        wanted = list(dict.fromkeys(form.cleaned_data["tickets"]))
        found = {
            t.reference: t
            for t in Ticket.objects.filter(queue=queue, reference__in=wanted).select_related(
                "queue"
            )
        }
        action = form.bulk_action
        outcome = services.tickets_bulk(
            service=action.service,
            tickets=[found[r] for r in wanted if r in found],
            actor=request.user,
            at=timezone.now(),
            **form.service_kwargs(),
        )
        refused = [(r, f"no longer in the {queue.name} queue") for r in wanted if r not in found]
        outcome = services.BulkOutcome(done=outcome.done, refused=outcome.refused + refused)
        text = outcome.summary(action.past)
        if outcome.refused and not outcome.done:
            messages.error(request, text)
        elif outcome.refused:
            messages.warning(request, text)
        else:
            messages.success(request, text)
        return HttpResponseRedirect(back)


class TicketDetailView(PermissionRequired, TemplateView):
    """A ticket: its timeline, time in each queue and status, its SLA clock, and actions."""

    perm = Perm.VIEW_QUEUES
    template_name = "servicedesk/ticket_detail.html"

    def get_ticket(self) -> Ticket:
        try:
            ticket = selectors.ticket_for_page(self.kwargs["reference"])
        except Ticket.DoesNotExist:
            raise Http404("No such ticket") from None
        if not access.can_view_ticket(self.request.user, ticket):
            raise PermissionDenied
        return ticket

    def get_context_data(self, *, bound_form=None, bound_action=None, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.get_ticket()
        now = timezone.now()
        calendar = queue_calendar(ticket.queue)
        times = selectors.ticket_times(ticket, now=now, calendar=calendar)
        pauses = selectors.ticket_pauses(times)
        clock = selectors.ticket_clock(ticket, now=now, calendar=calendar, pauses=pauses)
        response_clock = selectors.ticket_response_clock(
            ticket, now=now, calendar=calendar, pauses=pauses
        )
        can_work = access.can_work_ticket(self.request.user, ticket)
        actions = []
        if can_work:
            for action in ACTIONS.values():
                if not action.offered(ticket) and action.slug != bound_action:
                    continue
                form = (
                    bound_form
                    if action.slug == bound_action
                    else action.form_class(ticket=ticket, prefix=action.slug)
                )
                actions.append((action, form))
        context.update(
            ticket=ticket,
            now=now,
            events=selectors.ticket_events(ticket),
            notes=selectors.ticket_notes(ticket),
            times=times,
            clock=clock,
            response_clock=response_clock,
            calendar=calendar,
            can_work=can_work,
            actions=actions,
            bound_action=bound_action,
            error_form=bound_form if bound_form is not None and bound_form.errors else None,
        )
        return context


class TicketActionView(PermissionRequired, View):
    """POST an agent action; on error re-render the ticket page with the form's messages."""

    perm = Perm.WORK_TICKETS
    http_method_names = ["post"]

    def post(self, request, reference: str, action: str):
        if action not in ACTIONS:
            raise Http404("No such action")
        spec = ACTIONS[action]
        ticket = get_object_or_404(Ticket.objects.select_related("queue"), reference=reference)
        if not access.can_work_ticket(request.user, ticket):
            raise PermissionDenied
        form = spec.form_class(request.POST, ticket=ticket, prefix=spec.slug)
        if form.is_valid():
            came_from = ticket.queue
            try:
                ticket = spec.service(
                    ticket=ticket, actor=request.user, at=timezone.now(), **form.service_kwargs()
                )
            except TransitionError as error:
                form.add_error(None, error.messages)
            else:
                return self.done(request, spec, ticket, came_from)
        page = TicketDetailView(request=request, kwargs={"reference": reference}, args=())
        context = page.get_context_data(bound_form=form, bound_action=spec.slug)
        return page.render_to_response(context, status=400)

    @staticmethod
    def done(request, spec, ticket: Ticket, came_from: Queue) -> HttpResponseRedirect:
        """Back to the ticket, or, if the action took it out of the person's sight (a queue
        owner moving it out of their queues), to the queue it came from, saying where it went.
        """
        if access.can_view_ticket(request.user, ticket):
            messages.success(request, f"{spec.success}: {ticket.reference}")
            return HttpResponseRedirect(
                reverse("servicedesk:ticket_detail", args=[ticket.reference])
            )
        messages.success(request, f"{ticket.reference} reassigned to {ticket.queue.name}")
        if access.can_view_queue(request.user, came_from):
            return HttpResponseRedirect(reverse("servicedesk:queue_detail", args=[came_from.slug]))
        return HttpResponseRedirect(reverse("servicedesk:queue_list"))


class TicketCreateView(PermissionRequired, FormView):
    """Log a ticket (and assign it at once, if asked); on error nothing is saved."""

    perm = Perm.WORK_TICKETS
    form_class = TicketLogForm
    template_name = "servicedesk/ticket_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        now = timezone.now()
        assignee = form.cleaned_data["assignee"]
        try:
            # Logging and assigning succeed or fail together.
            with transaction.atomic():
                ticket = services.ticket_log(
                    actor=signed_in(self.request), at=now, **form.log_kwargs(now=now)
                )
                if assignee is not None:
                    ticket = services.ticket_assign(
                        ticket=ticket, actor=signed_in(self.request), at=now, assignee=assignee
                    )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, f"Logged: {ticket.reference}")
        return HttpResponseRedirect(reverse("servicedesk:ticket_detail", args=[ticket.reference]))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
