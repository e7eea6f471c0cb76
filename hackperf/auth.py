"""The authentication backends: sign-ins throttled (django-axes), permissions read by SQL."""

from functools import cache

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


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


@cache
def _permission_sql(source: str) -> str:
    """The SQL of Django's query for a person's permissions from ``source`` ("user": their
    own; "group": their groups'), as ``app_label, codename`` rows, from the models' tables."""
    user = get_user_model()
    permission, content_type = Permission._meta.db_table, ContentType._meta.db_table
    select = (
        f"SELECT ct.app_label, p.codename FROM {permission} p "
        f"JOIN {content_type} ct ON ct.id = p.content_type_id "
    )
    if source == "user":
        own = user.user_permissions.through._meta.db_table
        return select + f"JOIN {own} up ON up.permission_id = p.id WHERE up.user_id = %s"
    granted = Group.permissions.through._meta.db_table
    member = user.groups.through._meta.db_table
    return select + (
        f"JOIN {granted} gp ON gp.permission_id = p.id "
        f"JOIN {member} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s"
    )


class PermissionBackend(ModelBackend):
    """Django's ``ModelBackend``, its two permission queries written as SQL once.

    Why: every page asks (the navigation shows only the sections a person may open), and
    building the two queries through the ORM cost more than running them, about a millisecond
    of every request's CPU under ``make load`` (issue 15). The same two queries, the same sets,
    cached on the user for the request as Django does; an inactive or anonymous user, a
    per-object check and a superuser (every permission) are still Django's own code.
    ``tests/hackperf/test_auth_backend.py`` compares the two for each kind of person.
    """

    def _get_permissions(self, user_obj, obj, from_name):
        if (
            not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or user_obj.is_superuser
        ):
            # A private method of ModelBackend, which django-stubs does not declare.
            return super()._get_permissions(user_obj, obj, from_name)  # type: ignore[misc]
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            with connection.cursor() as cursor:
                cursor.execute(_permission_sql(from_name), [user_obj.pk])
                perms = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
            setattr(user_obj, cache_name, perms)
        return getattr(user_obj, cache_name)
