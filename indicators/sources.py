"""The one door from indicators to the figures of servicedesk and infogov (DESIGN.md).

Indicators reads the other apps only through their ``metrics`` modules, and only here. The
imports are lazy, so indicators loads (and its tests run) without importing either app's
internals, and a test stubs a source by replacing one of the two functions below.
"""

from types import ModuleType


def servicedesk() -> ModuleType:
    """``servicedesk.metrics``: ticket figures as of an instant or over a period."""
    from servicedesk import metrics

    return metrics


def infogov() -> ModuleType:
    """``infogov.metrics``: FOI/EIR/SAR case figures as of an instant or over a period."""
    from infogov import metrics

    return metrics


def surveys() -> ModuleType:
    """``servicedesk.metrics`` for the survey figures (the "surveys" indicator source)."""
    from servicedesk import metrics

    return metrics


def for_metric(metric: str) -> ModuleType:
    """The source module of a namespaced metric code, e.g. ``servicedesk.open_incidents``."""
    app = metric.partition(".")[0]
    # Called by name (not through a dict built at import) so a test's stub is seen.
    if app == "servicedesk":
        return servicedesk()
    if app == "infogov":
        return infogov()
    raise LookupError(f"No source for metric {metric!r}.")
