"""The registry behind the home page, the header search and saved filters.

``hackperf`` imports none of the apps (DESIGN.md, "Dependencies point one way"), yet the home
page shows each person's work in every app and the search finds their records. So each app
registers, in its ``AppConfig.ready``:

* home sections (:func:`register_home_section`): a function of the user and ``now`` that
  returns a :class:`HomeSection` (a template and its context) or ``None`` when the person has
  no such work; each runs a fixed number of queries whatever the data size;
* a search (:func:`register_search`): a function of the user and the text typed that returns
  the records that person may open whose reference matches, as :class:`SearchHit`;
* the list pages whose filters can be saved (:func:`register_saveable_list`), by URL name.

Like NetBox's ``registry``: plain module-level dicts, filled once at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hackperf.roles import Perm, perm_name


@dataclass(frozen=True)
class HomeSection:
    """One section of a person's home page: ``template`` rendered with ``context``. Its
    heading and anchor are the template's own; :func:`register_home_section` names it."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchHit:
    """A record the person may open: its reference, what it is, where it lives."""

    reference: str
    kind: str  # "Incident", "FOI" ...
    title: str  # the summary or subject, already redacted for this person
    where: str  # the queue or directorate
    status: str
    url: str
    exact: bool  # the reference is exactly what was typed (case aside)


HomeFunction = Callable[..., HomeSection | None]
SearchFunction = Callable[..., list[SearchHit]]


@dataclass(frozen=True)
class _Entry:
    order: int
    function: Callable[..., Any]


_home_sections: dict[str, _Entry] = {}
_searches: dict[str, _Entry] = {}
_saveable_lists: dict[str, str] = {}
_saveable_perms: dict[str, tuple[Perm, str]] = {}

SEARCH_LIMIT = 25
"""At most this many hits per app: the results page is a pointer, not a report."""


def register_home_section(key: str, function: HomeFunction, *, order: int = 100) -> None:
    """``function(user, *, now)`` gives this app's section for ``user``, or None."""
    _home_sections[key] = _Entry(order, function)


def register_search(key: str, function: SearchFunction, *, order: int = 100) -> None:
    """``function(user, text, *, limit)`` gives the hits ``user`` may open."""
    _searches[key] = _Entry(order, function)


def register_saveable_list(url_name: str, label: str, *, perm: Perm, where: str) -> None:
    """A list page whose filter (query string) a person may save under a name: ``label``
    names it beside a saved filter, ``where`` in a sentence ("a queue page"), for those
    who hold ``perm``, the permission that opens it."""
    _saveable_lists[url_name] = label
    _saveable_perms[url_name] = (perm, where)


def saveable_places(user: Any) -> list[str]:
    """Where ``user`` may save a filter ("a queue page", "the case list"): only the lists
    they may open, so nobody is sent to a page that refuses them."""
    return [where for perm, where in _saveable_perms.values() if user.has_perm(perm_name(perm))]


def home_sections(user: object, *, now: datetime) -> list[HomeSection]:
    """Every registered section this person has work in, in registration order."""
    sections = []
    for _, entry in sorted(_home_sections.items(), key=lambda item: item[1].order):
        section = entry.function(user, now=now)
        if section is not None:
            sections.append(section)
    return sections


def search(user: object, text: str, *, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Every app's hits for ``text``, exact references first."""
    text = clean_search_text(text)
    if not text:
        return []
    hits: list[SearchHit] = []
    for _, entry in sorted(_searches.items(), key=lambda item: item[1].order):
        hits.extend(entry.function(user, text, limit=limit))
    return sorted(hits, key=lambda hit: not hit.exact)


def clean_search_text(text: str) -> str:
    """What is searched for: trimmed, without NUL bytes (PostgreSQL refuses them), at most 100
    characters (no reference is longer)."""
    return text.replace("\x00", "").strip()[:100]


def saveable_lists() -> dict[str, str]:
    return dict(_saveable_lists)
