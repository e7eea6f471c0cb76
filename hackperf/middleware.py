"""Project middleware."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


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
