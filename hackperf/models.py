"""Models of the project package: only the owner of site-wide permissions, for now."""

from django.db import models

from hackperf.roles import Perm


class SitePermission(models.Model):
    """Owns the permissions that belong to no single model (see ``hackperf.roles``).

    Unmanaged and tableless: Django creates permissions for it like for any model, and
    nothing ever queries it.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = Perm.choices
        verbose_name = "site permission"

    def __str__(self) -> str:
        return "site permission"
