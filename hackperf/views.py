"""Views of the project package: home, search, saved filters, people and roles, health."""

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import BadRequest, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView, View
from django_tables2 import SingleTableView

from hackperf import selectors, services, workspace
from hackperf.bank_holidays import BUNDLED_SOURCE, holiday_to_confirm_decide
from hackperf.charts import bar_chart
from hackperf.exports import TableCsvMixin
from hackperf.models import BankHolidayFetch, HolidayToConfirm, SavedFilter
from hackperf.navigation import sections_for
from hackperf.outbox import undeliverable
from hackperf.roles import Perm, perm_name, roles_of
from hackperf.tables import PersonTable

if TYPE_CHECKING:
    from django.views.generic import FormView

    _FormView = FormView[Any]  # what ServiceFormMixin goes on, for mypy
else:
    _FormView = object


def signed_in(request: HttpRequest) -> User:
    """``request.user`` on a page behind ``LoginRequiredMiddleware``: signed in, never the
    anonymous user (said here for mypy, which types it as either)."""
    user = request.user
    assert user.is_authenticated, "LoginRequiredMiddleware lets no anonymous user this far"
    return user


class PermissionRequired(PermissionRequiredMixin):
    """Refuse with 403 (not a redirect to sign-in) when a signed-in user lacks the role.

    Anonymous users never get here: ``LoginRequiredMiddleware`` sends them to sign in.
    """

    raise_exception = True
    perm: Perm

    def get_permission_required(self) -> tuple[str, ...]:
        return (perm_name(self.perm),)


class ServiceFormMixin(_FormView):
    """For a ``FormView`` whose valid form a service writes: ``form_save(form)`` calls the
    service and returns the message to show, then the view redirects to
    ``get_success_url()``. A ``ValidationError`` the service raises is shown on the form
    (in its error summary), which is drawn again."""

    def form_save(self, form) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.form_save(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.get_success_url())


class HomeView(TemplateView):
    """The person's work: each app's section for each role they hold (``hackperf.workspace``),
    their saved filters, what is where, and (for the DMT) whether the jobs and e-mails run."""

    template_name = "hackperf/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = signed_in(self.request)
        now = timezone.now()
        # Each section is drawn from its own template and context, so no app's names can
        # collide with another's (or the page's) in one template context.
        context["work"] = [
            (section, render_to_string(section.template, section.context, request=self.request))
            for section in workspace.home_sections(user, now=now)
        ]
        context["saved_filters"] = [
            (saved, workspace.saveable_lists().get(saved.url_name, ""))
            for saved in SavedFilter.objects.filter(user=user)
        ]
        context["save_filters_on"] = workspace.saveable_places(user)
        context["sections"] = sections_for(user)
        context["roles"] = roles_of(user)
        context["can_see_people"] = user.has_perm(perm_name(Perm.VIEW_REVIEW))
        if context["can_see_people"]:
            context["jobs"] = selectors.jobs_status(now=now)
            context["feed"] = selectors.bank_holiday_feed_status(now=now)
            context["undeliverable"] = undeliverable()
        return context


class SearchView(TemplateView):
    """The header search: a ticket or case by its reference, open or closed, among those the
    person may open. An exact reference goes straight to its page; anything else lists the
    matches (each app's search, ``hackperf.workspace``)."""

    template_name = "hackperf/search.html"

    def get(self, request, *args, **kwargs):
        text = workspace.clean_search_text(request.GET.get("q", ""))
        hits = workspace.search(request.user, text) if text else []
        exact = [hit for hit in hits if hit.exact]
        if len(exact) == 1:
            return HttpResponseRedirect(exact[0].url)
        return self.render_to_response(self.get_context_data(q=text, search_q=text, hits=hits))


class SavedFilterCreateView(View):
    """POST from a list page: save its current filter (``path``: the page with its query
    string) under ``name``, and go back to it."""

    http_method_names = ["post"]

    def post(self, request):
        path = request.POST.get("path", "")
        name = " ".join(request.POST.get("name", "").split())[:80]
        parsed = urlsplit(path)
        try:
            match = resolve(parsed.path)
        except Resolver404:
            match = None
        if (
            match is None
            or parsed.scheme
            or parsed.netloc
            or match.view_name not in workspace.saveable_lists()
        ):
            messages.error(request, "Only a queue page or the case list can be saved as a filter.")
            return HttpResponseRedirect(reverse("home"))
        back = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if not name:
            messages.error(request, 'Enter a name for the filter, such as "My P1s".')
            return HttpResponseRedirect(back)
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=False) if k != "page"]
        )[:1000]
        saved, created = SavedFilter.objects.update_or_create(
            user=request.user,
            name=name,
            defaults={
                "url_name": match.view_name,
                "url_kwargs": match.kwargs,
                "query_string": query,
            },
        )
        verb = "Saved" if created else "Updated"
        messages.success(
            request, f"{verb} the filter \u201c{saved.name}\u201d: it is on your home page."
        )
        return HttpResponseRedirect(back)


class SavedFilterDeleteView(View):
    """POST: delete one of your own saved filters (anyone else's is 404)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
        saved.delete()
        messages.success(request, f"Deleted the saved filter \u201c{saved.name}\u201d.")
        return HttpResponseRedirect(reverse("home"))


class BankHolidayListView(PermissionRequired, TemplateView):
    """For IG officers: the bank-holiday feed's health, the days one source has and the other
    lacks (to confirm or reject), and the last refreshes."""

    perm = Perm.WORK_CASES
    template_name = "hackperf/bank_holiday_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = list(selectors.holidays_to_confirm())
        context.update(
            feed=selectors.bank_holiday_feed_status(now=timezone.now()),
            feed_url=settings.BANK_HOLIDAYS_FEED_URL or BUNDLED_SOURCE,
            to_confirm=[i for i in items if i.status == "to_confirm"],
            decided=[i for i in items if i.status != "to_confirm"],
            fetches=BankHolidayFetch.objects.only("at", "source", "outcome", "message", "changes")[
                :10
            ],
        )
        return context


class HolidayToConfirmDecideView(PermissionRequired, View):
    """POST: an IG officer confirms or rejects a bank holiday only one source has."""

    perm = Perm.WORK_CASES
    http_method_names = ["post"]
    confirm = True

    def post(self, request, pk):
        item = get_object_or_404(HolidayToConfirm, pk=pk)
        try:
            item = holiday_to_confirm_decide(item=item, confirm=self.confirm, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if self.confirm and not item.in_feed:
                done = "it is now a bank holiday, and open cases' due dates are recomputed"
            elif not self.confirm and item.in_feed:
                done = "it is no longer a bank holiday, and open cases' due dates are recomputed"
            else:
                done = "the stored bank holidays are unchanged"
            messages.success(request, f"{item.get_status_display()}: {item}; {done}.")
        return HttpResponseRedirect(reverse("bank_holiday_list"))


class PersonListView(PermissionRequired, TableCsvMixin, SingleTableView):
    """People and roles, for the DMT: who can see what."""

    perm = Perm.VIEW_REVIEW
    table_class = PersonTable
    template_name = "hackperf/person_list.html"
    csv_filename = "people-and-roles"

    def get_queryset(self):
        return selectors.people_with_roles()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["locked_sign_ins"] = selectors.locked_sign_ins(now=timezone.now())
        counts = selectors.role_counts()
        busiest = max(counts, key=lambda pair: pair[1])
        context["chart"] = bar_chart(
            id="people-per-role",
            title="People per role",
            summary=(
                f"{sum(n for _, n in counts)} role memberships across {len(counts)} roles; "
                f"the most held is {busiest[0]} ({busiest[1]})."
            ),
            labels=[label for label, _ in counts],
            values=[n for _, n in counts],
            value_label="People",
        )
        return context


class SignInUnlockView(PermissionRequired, View):
    """The DMT lets a locked-out account (or client address) sign in again at once."""

    perm = Perm.VIEW_REVIEW
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        kind = request.POST.get("kind", "")
        value = request.POST.get("value", "").strip()
        if kind not in ("account", "address") or not value or "\x00" in value:
            messages.error(request, "Choose an account or address from the list to unlock.")
            return redirect("person_list")
        if kind == "account":
            services.sign_in_unlock(username=value)
        else:
            services.sign_in_unlock(ip_address=value)
        messages.success(request, f"Unlocked the {kind} {value}: it can sign in again.")
        return redirect("person_list")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the container health check: the process answers and the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")


LOCKED_OUT = (
    "Too many failed sign-ins for this account or from this address, so signing in is "
    "locked for {minutes} minutes. Try again after {until:%H:%M}, or ask the ICT Divisional "
    "Management Team to unlock your account (People and roles)."
)


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only), and say so on the sign-in page it leads to: on a shared desk,
    the next person should not have to wonder whether the last one's session ended."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signed_in_before = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if signed_in_before:
            messages.success(request, "You have signed out.")
        return response


def signin_locked_out(request: HttpRequest, original_response=None, credentials=None):
    """The sign-in page, saying why it refused (django-axes' ``AXES_LOCKOUT_CALLABLE``).

    Used for the site's and the admin's sign-in alike; 429, as django-axes answers by default.
    """
    cooloff = settings.AXES_COOLOFF_TIME
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username[:150]})
    message = LOCKED_OUT.format(
        minutes=int(cooloff.total_seconds() // 60),
        until=timezone.localtime(timezone.now() + cooloff),
    )
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": request.POST.get("next", ""), "lockout": message},
        status=429,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 page (``handler400``): what was wrong with the request, when we know.

    Only our own ``BadRequest`` messages are shown; Django's other 400s (a bad Host header,
    a forged signature) may quote what the client sent, so they get the general wording.
    """
    reason = str(exception) if type(exception) is BadRequest else ""
    if request.path.startswith("/api/"):  # the API answers in JSON, errors included
        return JsonResponse({"detail": reason or "Bad request."}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)
