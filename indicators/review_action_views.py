"""Pages the DMT uses during and after a review: recording and closing actions, and
computing from the history a fortnight that has no snapshot yet."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView

from hackperf.roles import Perm
from hackperf.tasks import enqueue_on_commit
from hackperf.views import PermissionRequired, signed_in
from indicators import review_actions, review_fortnights, selectors, tasks
from indicators.forms import ReviewActionCloseForm, ReviewActionForm
from indicators.models import ReviewAction, ReviewPack
from indicators.periods import ending_day
from indicators.services.snapshots import snapshot_take


class ReviewActionCreateView(PermissionRequired, FormView):
    """Record an action agreed at a review: what, who owns it, by when."""

    perm = Perm.VIEW_REVIEW  # held by the DMT alone, whose review it is
    form_class = ReviewActionForm
    template_name = "indicators/reviewaction_form.html"

    @cached_property
    def pack(self) -> ReviewPack:  # looked up after the permission check, so others get 403
        return get_object_or_404(ReviewPack, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.pack  # noqa: B018 - a missing pack is a 404 before the form is drawn
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pack=self.pack, ending=ending_day(self.pack.fortnight_end), **kwargs
        )

    def form_valid(self, form):
        try:
            action = review_actions.review_action_add(
                pack=self.pack, by=signed_in(self.request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Action recorded for {action.owner.get_full_name()}.")
        return redirect(f"{self.pack.get_absolute_url()}#actions")


class ReviewActionCloseView(PermissionRequired, FormView):
    """Close an open action with a note saying what was done."""

    perm = Perm.VIEW_REVIEW
    form_class = ReviewActionCloseForm
    template_name = "indicators/reviewaction_close.html"

    @cached_property
    def action(self) -> ReviewAction:
        return get_object_or_404(
            ReviewAction.objects.select_related("owner", "pack", "closed_by"), pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        self.action  # noqa: B018 - a missing action is a 404 before the form is drawn
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            action=self.action, agreed=ending_day(self.action.pack.fortnight_end), **kwargs
        )

    def form_valid(self, form):
        try:
            review_actions.review_action_close(
                action=self.action, note=form.cleaned_data["note"], by=signed_in(self.request)
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Action closed.")
        return redirect(f"{reverse('indicators:review')}#actions")


class ReviewComputeView(PermissionRequired, View):
    """Compute from the history a fortnight that has no snapshot yet (POST ``fortnight``,
    the day it ends). The fortnight and the one before are taken now, so the review can show
    the fortnight against the previous one at once; the rest of its 13 fortnights go to a
    worker, which fills in the trend within a minute. Each is an idempotent upsert
    (``snapshot_take``), so a second press or a second worker changes nothing."""

    perm = Perm.VIEW_REVIEW
    http_method_names = ["post"]
    NOW_COUNT = 2

    def post(self, request, *args, **kwargs):
        review_url = reverse("indicators:review")
        try:
            instant = review_fortnights.instant_of(
                request.POST.get("fortnight", ""), now=timezone.now()
            )
        except review_fortnights.FortnightError as error:
            messages.error(request, str(error))
            return redirect(review_url)
        taken = selectors.review_snapshot_instants()
        missing = review_fortnights.missing(instant, taken, count=selectors.REVIEW_FORTNIGHTS)
        for end in missing[-self.NOW_COUNT :]:
            snapshot_take(as_of=end)
        for end in missing[: -self.NOW_COUNT]:
            enqueue_on_commit(tasks.snapshot_fortnightly, end.isoformat())
        later = len(missing[: -self.NOW_COUNT])
        messages.success(
            request,
            f"The fortnight ending {ending_day(instant):%-d %B %Y} was computed from the history."
            + (
                f" {later} earlier fortnights of its trend follow within a minute." if later else ""
            ),
        )
        return redirect(f"{review_url}?{urlencode({'fortnight': ending_day(instant)})}")
