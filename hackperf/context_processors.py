"""Template context shared by every page."""

from dataclasses import dataclass

from django.urls import reverse

from hackperf.navigation import sections_for


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation(request) -> dict[str, object]:
    """The main navigation: only the sections the user may open, the current one marked.

    Permissions are cached on the user object, so this costs one query per request at most.
    """
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    path = request.path
    items = []
    for section in sections_for(user):
        url = reverse(section.url_name)
        items.append(NavItem(section.label, url, path == url or path.startswith(url)))
    return {"nav_items": items}
