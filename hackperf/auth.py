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


# The longest username Django's user model holds; anything longer is no one's.
USERNAME_MAX_LENGTH = 150


def sign_in_username(request, credentials=None) -> str | None:
    """The username django-axes counts failures against (``AXES_USERNAME_CALLABLE``).

    As typed, but cut to the longest username there can be: Django's sign-in form does not
    check the length, and django-axes would otherwise try to store a 10,000-character name
    in its 255-character column (a 500 instead of "wrong password").
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    if username is None:
        return None
    return str(username).replace("\x00", "")[:USERNAME_MAX_LENGTH]
