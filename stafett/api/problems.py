"""Errors as RFC 9457 problem details (application/problem+json), in Norwegian.

Every error the API gives — 401, 403, 404, 405, 422, 429, 500 — has the same shape: `type`
(about:blank, or a page about the problem), `title` (the status, in Norwegian), `status`,
`detail` (what happened, in plain words) and `instance` (the path asked for). A 422 adds
`errors`: which field, and what is wrong with it. Nothing about the data behind it leaks:
a log the caller may not read is the same 404 as one that does not exist.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: _("Ugyldig forespørsel"),
    401: _("Ikke innlogget"),
    403: _("Ikke tillatt"),
    404: _("Finnes ikke"),
    405: _("Metoden er ikke tillatt"),
    409: _("Konflikt"),
    422: _("Ugyldige data"),
    429: _("For mange forespørsler"),
    500: _("Feil i Stafett"),
}
DETAILS = {
    400: _("Forespørselen kunne ikke leses."),
    401: _("Logg inn, eller send en gyldig nøkkel i Authorization-hodet (Bearer)."),
    403: _("Du har ikke lov til å gjøre dette."),
    404: _("Det du spør etter finnes ikke, eller du har ikke tilgang til det."),
    405: _("Denne adressen støtter ikke metoden du brukte."),
    422: _("Noen av feltene er ikke fylt ut riktig."),
    429: _("Du har sendt for mange forespørsler på kort tid. Vent litt og prøv igjen."),
    500: _("Noe gikk galt hos oss. Feilen er logget; prøv igjen senere."),
}


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = None


def problem(
    request: HttpRequest, status: int, detail: str | None = None, *, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])),
        "status": status,
        "detail": str(detail or DETAILS.get(status, DETAILS[400] if status < 500 else DETAILS[500])),
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(body, status=status, content_type=MEDIA_TYPE, json_dumps_params={"ensure_ascii": False})


def _message(exc: Exception) -> str | None:
    """The Norwegian text an action raised (PermissionDenied("Du kan bare …")), if it gave one."""
    text = " ".join(str(a) for a in exc.args if isinstance(a, str)).strip()
    return text or None


def _field_errors(exc: NinjaValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors:
        where = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(where) or "body", "message": _pydantic_message(error)})
    return errors


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "missing":
        return gettext("Feltet må fylles ut.")
    if kind in {"string_too_long"}:
        return gettext("Teksten er for lang (høyst %(max)s tegn).") % {"max": error.get("ctx", {}).get("max_length")}
    if kind in {"string_too_short"}:
        return gettext("Teksten er for kort.")
    if kind.startswith("uuid"):
        return gettext("Må være en gyldig kode (UUID).")
    if kind.startswith("date") or kind.startswith("datetime"):
        return gettext("Må være en gyldig dato (ÅÅÅÅ-MM-DD).")
    if kind.startswith("bool"):
        return gettext("Må være true eller false.")
    if kind.startswith("int"):
        return gettext("Må være et heltall.")
    if kind in {"enum", "literal_error"}:
        return gettext("Må være en av de tillatte verdiene.")
    return gettext("Verdien er ikke gyldig.")


def _django_validation(exc: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": f, "message": " ".join(m for e in es for m in e.messages)} for f, es in exc.error_dict.items()
        ]
    return [{"field": "body", "message": m} for m in exc.messages]


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(retry_after)


class ReadOnlyKey(Exception):
    """A personal key is read-only (issue 11 §1): writing takes the signed-in browser session."""


def install(api: NinjaAPI) -> None:
    """Every error of `api` as problem+json."""

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 403, _message(exc))

    @api.exception_handler(ReadOnlyKey)
    def read_only(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(
            request, 403, gettext("En personlig API-nøkkel gir bare lesetilgang. Skriv fra Stafett i nettleseren.")
        )

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = problem(request, 401)
        response["WWW-Authenticate"] = 'Bearer realm="stafett"'
        return response

    @api.exception_handler(RateLimited)
    def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = problem(request, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 429)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in exc.message:
            return problem(
                request, 403, gettext("CSRF-kontrollen feilet: send X-CSRFToken-hodet med verdien fra csrftoken.")
            )
        return problem(request, exc.status_code)

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return problem(request, 422, errors=_field_errors(exc))

    @api.exception_handler(DjangoValidationError)
    def refused_by_action(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return problem(request, 422, " ".join(exc.messages) or None, errors=_django_validation(exc))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error at %s", request.path)
        return problem(request, 500)


ERRORS: dict[int, type[Problem]] = {code: Problem for code in (401, 403, 404, 422, 429, 500)}
