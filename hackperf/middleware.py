"""Project middleware."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

NUL_IN_ADDRESS = (
    "The web address contains a NUL character (%00), which no page here accepts. "
    "Check the address, or follow the link again."
)


class NoStoreMiddleware:
    """Send ``Cache-Control: no-store`` (and Django's other never-cache headers) on every page.

    Nearly every page and export carries personal data (requesters, ticket summaries,
    people's names), and a shared office browser or a caching proxy must not keep them; the
    few public responses (sign-in, a survey, the health check) are not worth caching either.
    One rule for every response Django serves is harder to get wrong than a decorator per
    view. Static files are served by whitenoise before this runs, so they keep their
    long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class RejectNulMiddleware:
    """Answer 400, saying why, when the path or the query string carries a NUL character.

    PostgreSQL cannot store or compare a string with NUL in it, so one in a URL would reach
    the database as a 500 wherever a view looks it up; forms already refuse it in posted
    fields (Django's ProhibitNullCharactersValidator). One check here covers every view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest(NUL_IN_ADDRESS)
        return self.get_response(request)


class HtmxSignInMiddleware:
    """Send a person whose session ended to the sign-in page as a whole page, when the request
    that found out was htmx's (a live page refreshing itself).

    htmx follows the sign-in redirect inside its request and would swap the whole sign-in page
    into the part it refreshes (a page within the page, no longer refreshing). Answered with
    ``HX-Redirect`` instead, htmx takes the browser there, and the sign-in page's ``next``
    brings the person back to the page they were watching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true" and response.status_code == 302:
            target = response["Location"]
            if target.split("?", 1)[0] == resolve_url(settings.LOGIN_URL):
                # Back to the page in the browser (htmx names it), not to the part it asked
                # for: only its path and query, so the sign-in page never leads off the site.
                current = urlsplit(request.headers.get("HX-Current-URL", ""))
                page = current.path + (f"?{current.query}" if current.query else "")
                on_site = url_has_allowed_host_and_scheme(page, allowed_hosts=None)
                if page.startswith("/") and on_site:
                    target = redirect_to_login(page)["Location"]
                redirect = HttpResponse(status=200)
                redirect["HX-Redirect"] = target
                return redirect
        return response
