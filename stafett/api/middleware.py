"""A wrong method on an API path is a 405 problem, like every other API error (RFC 9457).

django-ninja answers it before any of the API's own code runs (its PathView, without the
request), with plain text; this puts the Norwegian problem details in its place and keeps the
`Allow` header."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from stafett.api import problems

API_PREFIX = "/api/v1/"


def problem_for_wrong_method(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and response.get("Content-Type", "").split(";")[0] != problems.MEDIA_TYPE
        ):
            allowed = response.get("Allow")
            response = problems.problem(request, 405)
            if allowed:
                response["Allow"] = allowed
        return response

    return middleware
