"""System checks of the project's own settings (``manage.py check``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

ERR_SITE_URL_MISSING = (
    "SITE_URL is not set. E-mails (escalations, survey invitations) link to the site with "
    "absolute URLs, so it is required when DEBUG is off."
)
ERR_SITE_URL_BAD = "SITE_URL={value!r} is not an absolute http(s) URL."


@register(Tags.compatibility)
def site_url_check(app_configs=None, **kwargs) -> list[Error]:
    """SITE_URL is required with production settings (DEBUG off) and must be absolute.

    An ordinary check (not deploy-only): ``migrate``, ``check`` and ``check --deploy`` all
    stop on it in production. Untagged ``staticfiles``, so ``collectstatic`` at build time,
    which has no SITE_URL, is not stopped.
    """
    value = getattr(settings, "SITE_URL", "")
    if not value:
        if settings.DEBUG:
            return []
        return [
            Error(
                ERR_SITE_URL_MISSING,
                hint="Set SITE_URL, e.g. https://ict-performance.hackney.gov.uk",
                id="hackperf.E001",
            )
        ]
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return [Error(ERR_SITE_URL_BAD.format(value=value), id="hackperf.E002")]
    return []
