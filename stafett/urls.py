from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from stafett.api.api import api
from stafett.api.api import not_found as api_not_found
from stafett.core.admin_site import restrict_admin_to_system_admins

restrict_admin_to_system_admins(admin.site)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("stafett.core.urls")),
    path("", include("stafett.accounts.urls")),
    path("", include("stafett.people.urls")),
    path("", include("stafett.logs.urls")),
    path("", include("stafett.followup.urls")),
    path("", include("stafett.undring.urls")),
    path("", include("stafett.guide.urls")),
    path("statistikk/", include("stafett.stats.urls")),
    path("", include("stafett.api.urls")),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", api_not_found),  # after the API's own paths: 404 as problem+json
    path("admin/", admin.site.urls),
]

handler400 = "stafett.core.views.bad_request"
handler403 = "stafett.core.views.forbidden"
handler404 = "stafett.core.views.not_found"
handler500 = "stafett.core.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
