"""The public survey page, the DMT's results and the queue owners' comments.

The survey page is the one public page of the site (``@login_not_required``): it is reached
only through a signed link, shows only the reference and summary of the ticket it asks about,
keeps CSRF protection, and is rate-limited per link (after its signature is checked) and,
for links we never sent, per client address.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from hackperf.client_address import client_address
from hackperf.exports import csv_response, csv_url, queryset_rows, with_header
from hackperf.roles import Perm
from hackperf.views import PermissionRequired
from servicedesk.surveys import selectors, services
from servicedesk.surveys.forms import SurveyForm
from servicedesk.surveys.services import LinkProblem

# At most this many answers (POSTs) per link, and this many POSTs with a bad link per client
# address, in the window.
RATE_LIMIT_POSTS = 10
RATE_LIMIT_WINDOW_SECONDS = 10 * 60

PROBLEM_STATUS = {LinkProblem.INVALID: 404, LinkProblem.EXPIRED: 410, LinkProblem.USED: 410}

logger = logging.getLogger(__name__)


def _allowed(key: str) -> bool:
    """Count one hit against ``key`` in the shared cache; False once over the limit.

    A fixed window from the first hit: ``add`` starts it (atomically, once), ``incr`` counts.
    With the cache (Redis) down nothing is counted and the answer is allowed: a stopped
    broker must not turn away the people the survey is for.
    """
    try:
        if cache.add(key, 1, timeout=RATE_LIMIT_WINDOW_SECONDS):
            return True
        try:
            hits = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=RATE_LIMIT_WINDOW_SECONDS)
            return True
    except Exception:  # any cache backend's connection error
        logger.warning("survey rate limit: the cache could not be reached", exc_info=True)
        return True
    return hits <= RATE_LIMIT_POSTS


def _link_allowed(token: str) -> bool:
    """Count an answer to a link whose signature checked out (guessers cannot reach it)."""
    link = hashlib.sha256(token.encode()).hexdigest()[:32]
    return _allowed(f"survey-posts:link:{link}")


def _bad_link_allowed(request: HttpRequest) -> bool:
    """Count a POST to a link that is not one we sent, by the client's own address.

    The address is the one the trusted proxy saw (``hackperf.client_address``), so a guesser
    only ever locks out themselves; answers on real links never touch this counter.
    """
    return _allowed(f"survey-posts:bad-link:{client_address(request)}")


def _rate_limited_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "servicedesk/surveys/survey_rate_limited.html", status=429)
    response["Retry-After"] = str(RATE_LIMIT_WINDOW_SECONDS)
    return response


def _problem_page(request: HttpRequest, problem: LinkProblem) -> HttpResponse:
    return render(
        request,
        "servicedesk/surveys/survey_unavailable.html",
        {"problem": problem.value},
        status=PROBLEM_STATUS[problem],
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Answer one survey from its e-mailed link (no sign-in; the link is the credential).

    POSTs are counted after the link's signature is checked: per link for real links, per
    client address for links we never sent.
    """
    invitation, problem = services.invitation_for_token(token)
    if request.method == "POST":
        if problem is LinkProblem.INVALID:
            if not _bad_link_allowed(request):
                return _rate_limited_page(request)
        elif not _link_allowed(token):
            return _rate_limited_page(request)
    if problem is not None or invitation is None:
        return _problem_page(request, problem or LinkProblem.INVALID)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answer = form.answer()
        if not services.survey_answer(invitation=invitation, now=timezone.now(), **answer):
            return _problem_page(request, LinkProblem.USED)
        return render(
            request,
            "servicedesk/surveys/survey_thanks.html",
            {"answered": answer["rating"] is not None, "opted_out": answer["opt_out"]},
        )
    ticket = invitation.ticket
    return render(
        request,
        "servicedesk/surveys/survey_form.html",
        {
            "form": form,
            "reference": invitation.ticket_reference,
            "summary": ticket.summary if ticket else "",
            "days": services.LINK_DAYS,
        },
    )


def _month_param(value: str | None, months: list[date]) -> date | None:
    if not value:
        return None
    try:
        month = date.fromisoformat(f"{value}-01")
    except ValueError:
        return None
    return month if month in months else None


class SurveyResultsView(PermissionRequired, TemplateView):
    """The DMT's results: by month (all queues) and, for one month, by queue."""

    perm = Perm.VIEW_REVIEW
    template_name = "servicedesk/surveys/results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = selectors.survey_months()
        month = _month_param(self.request.GET.get("month"), months) or (
            months[0] if months else None
        )
        context.update(
            months=months,
            month=month,
            by_month=selectors.results_by_month(),
            by_queue=selectors.results_by_queue(month=month) if month else [],
            by_queue_caption=f"By queue, tickets closed in {month:%B %Y}" if month else "",
        )
        return context


class SurveyCommentsView(TemplateView):
    """Comments from the surveys: the DMT reads every queue's, queue owners their own."""

    template_name = "servicedesk/surveys/comments.html"
    csv_header = ("Answered", "Ticket", "Queue", "Rating (of 5)", "Resolved", "Comment")

    def chosen(self):
        """The queues the person may read, those the page's ``queue`` picks, its months and
        the ``month`` picked (refused, as the page is, for a queue they may not read)."""
        queues = selectors.comment_queues(self.request.user)
        if queues is None:
            raise PermissionDenied
        slug = self.request.GET.get("queue") or ""
        if slug:
            chosen = queues.filter(slug=slug)
            if not chosen.exists():
                raise PermissionDenied
        else:
            chosen = queues
        months = selectors.survey_months()
        return queues, slug, chosen, months, _month_param(self.request.GET.get("month"), months)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") != "csv":
            return super().get(request, *args, **kwargs)
        # Every comment the page's queue and month select (the page shows the newest 500),
        # in the page's words: the ticket only where the respondent was told.
        _, _, chosen, _, month = self.chosen()

        def row(response) -> list[object]:
            shared = response.ticket_shared and response.invitation.ticket_id
            return [
                timezone.localdate(response.responded_at).isoformat(),
                response.invitation.ticket.reference if shared else "Not shared",
                response.invitation.queue.name,
                response.rating,
                "Yes" if response.resolved else "No",
                response.comment,
            ]

        rows = queryset_rows(selectors.comments(queues=chosen, month=month), row)
        return csv_response(with_header(self.csv_header, rows), filename="survey-comments")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queues, slug, chosen, months, month = self.chosen()
        context.update(
            queues=list(queues.order_by("name", "pk")),
            queue_slug=slug,
            months=months,
            month=month,
            comments=selectors.comments(queues=chosen, month=month)[:500],
            low=selectors.comments(queues=chosen, month=month, low_only=True)[:200],
            csv_url=csv_url(self.request),
        )
        return context
