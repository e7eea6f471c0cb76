"""Project middleware."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

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
