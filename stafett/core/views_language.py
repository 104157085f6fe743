"""Choosing a language (issue 10): one small form on every page, works without JavaScript.

Anyone may choose — on the login page too; a signed-in person's choice is kept on the person
(so letters to them follow it), everyone's in a cookie for this browser.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from stafett.access import public
from stafett.core.language import SESSION_KEY
from stafett.lib import languages
from stafett.people.actions import choose_language
from stafett.people.models import Person

ONE_YEAR = 365 * 24 * 3600


def _back_to(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("core:start")


@public
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(_back_to(request))
    code = languages.supported(request.POST.get("language"))
    if code is None:
        return response  # an unknown choice changes nothing; the page they came from is still there
    if isinstance(request.user, Person):
        choose_language(actor=request.user, language=code)
        request.session.pop(SESSION_KEY, None)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=ONE_YEAR,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response
