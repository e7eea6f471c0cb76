"""URL-building helpers that the apps' ``urls.py`` share.

Several objects have a row of one-word actions under their own URL, each a POST or a small
form: a case is allocated, responded to, closed; a period value is checked, approved,
revised. Their routes follow one rule (STYLE.md §2): the path is the object's URL plus the
action, the name is ``<model>_<action>``. ``action_paths`` states that rule once, so an
action's path and name cannot drift apart.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.urls import URLPattern, path


def action_paths(
    prefix: str, model: str, actions: Mapping[str, Callable[..., Any]]
) -> list[URLPattern]:
    """One route a view: ``<prefix><action>/``, named ``<model>_<action>``.

    Args:
        prefix: the object's route, ending in "/" (e.g. ``"cases/<int:pk>/"``).
        model: the name's first part (e.g. ``"case"``).
        actions: action word → view (``View.as_view()``), in the order they are matched.
    """
    return [
        path(f"{prefix}{action}/", view, name=f"{model}_{action}")
        for action, view in actions.items()
    ]
