"""Security headers on every response: Content-Security-Policy (django-csp) and Permissions-Policy.

The policies themselves are settings (CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY); the
templates keep to them: no inline scripts, event handler attributes, hx-on or style
attributes — behaviour lives in static/js/stafett.js, looks in static/css.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def openid_provider_origins() -> list[str]:
    """The origins of the OpenID providers Stafett offers (an issuer and a client id set).

    Logging in and out posts a form to Stafett, which redirects the browser on to the
    provider; browsers check form-action on that redirect too, so the provider must be in it.
    """
    origins = []
    for conf in settings.OIDC_PROVIDERS.values():
        if not (conf.get("issuer") and conf.get("client_id")):
            continue
        url = urlsplit(conf["issuer"])
        if url.scheme and url.netloc:
            origins.append(f"{url.scheme}://{url.netloc}")
    return origins


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header from settings.CONTENT_SECURITY_POLICY, with the OpenID providers'
    origins added to form-action when the response is sent (tests point the providers elsewhere)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origins = openid_provider_origins()
        if origins:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", ()), *origins]
            parts.update = update
        return parts


class PermissionsPolicyMiddleware:
    """Permissions-Policy: the browser features in settings.PERMISSIONS_POLICY are switched off
    (`feature=()`) for Stafett's pages and anything they could embed. Django has no setting for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        features = getattr(settings, "PERMISSIONS_POLICY", ())
        if features and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = ", ".join(f"{feature}=()" for feature in features)
        return response
