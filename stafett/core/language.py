"""Which language a page or a letter is in (issue 10): the person's own choice, else their
municipality's målform, else what the browser asks for, else bokmål.

The middleware activates it for the request; `people.language.language_for` gives it for
someone who is not the one asking (the recipient of a notification, a printout).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from stafett.lib import languages
from stafett.people.language import municipality_language
from stafett.people.models import Person

SESSION_KEY = "stafett_language"


def _from_browser(request: HttpRequest) -> str | None:
    for part in request.headers.get("Accept-Language", "").split(","):
        code = languages.supported(part.split(";")[0].strip())
        if code:
            return code
    return None


def language_of_request(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    person = user if isinstance(user, Person) else None
    if person is not None and person.language:
        return str(person.language)
    chosen = languages.supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    session = getattr(request, "session", None)
    if person is not None and session is not None:
        # One look-up per session: the municipality's målform rarely changes.
        cached = session.get(SESSION_KEY)
        if cached is None:
            cached = municipality_language(person) or ""
            session[SESSION_KEY] = cached
        if cached:
            return str(cached)
    elif (found := municipality_language(None)) is not None:
        return found
    return _from_browser(request) or languages.default()


class LanguageMiddleware:
    """After authentication: the request's language for templates, forms and messages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_of_request(request)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        # Put back afterwards: the next request on this thread (or test) starts from bokmål.
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
