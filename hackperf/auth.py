"""The authentication backend that throttles sign-ins (django-axes)."""

from axes.backends import AxesStandaloneBackend


class ThrottledSignInBackend(AxesStandaloneBackend):
    """django-axes' check before the password one, for web sign-ins only.

    ``authenticate()`` without a request comes from code, not from a browser: a shell, a
    management command, the test client's ``login()``. There is no client address to throttle
    and no page to show, so it is passed on to the password check instead of refused (which
    django-axes does by default, with an exception).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
