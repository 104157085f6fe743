from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from stafett.access import is_system_admin


def restrict_admin_to_system_admins(site: AdminSite) -> None:
    """Django admin is for system administrators only (issue: organisation data, no log content)."""

    def has_permission(request: HttpRequest) -> bool:
        return request.user.is_authenticated and is_system_admin(request.user)  # type: ignore[arg-type]

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = _("Stafett – administrasjon")
    site.site_title = "Stafett"
    site.index_title = _("Kommuner og tjenestesteder")
    site.login_url = "/logg-inn/"  # type: ignore[attr-defined]
