"""/api/v1/: the NinjaAPI, its OpenAPI 3.1 document and its documentation page.

django-ninja generates the OpenAPI document from the typed schemas (schemas.py), so the
document cannot drift from what the endpoints answer; tests/api/test_schemathesis.py checks
that against the running code. The document is public (it holds no data); the browsable
documentation (Swagger UI, served from ninja's static files with no inline script, so the
app-wide CSP holds) is for signed-in staff.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI
from ninja.openapi.views import openapi_json

from stafett.access import Action, needs, public
from stafett.api import people_api, problems, systems_api

DESCRIPTION = """Stafett's API. Two kinds of client:

* **Personer** — the signed-in browser session (unsafe methods need the `X-CSRFToken` header),
  or a personal read-only key from «API-nøkler» sent as `Authorization: Bearer stafett_pat_…`.
  The answers are the pages' answers: a log you cannot open is 404.
* **Systemer** — a record system, archive or data warehouse registered by the system
  administrator, with its client secret as `Authorization: Bearer stafett_sys_…`. A system never
  reads the content of a log.

Errors are RFC 9457 `application/problem+json`, in Norwegian."""


def _docs_rule(view: Callable[..., Any]) -> Callable[..., Any]:
    """The document is public; the documentation page is for signed-in staff."""
    if isinstance(view, partial) and view.func is openapi_json:
        return public(view)
    return needs(Action.VIEW_API_DOCS)(view)


@public
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A path under /api/v1/ that is no endpoint: 404 as problem+json, not the HTML page."""
    return problems.problem(request, 404)


class StafettAPI(NinjaAPI):
    def _get_urls(self) -> list[Any]:
        """ninja's root URL (its name finds the prefix) raises Http404 for Django's HTML page:
        ours answers the same 404 as problem+json."""
        return [
            path("", not_found, name="api-root") if getattr(p, "name", None) == "api-root" else p
            for p in super()._get_urls()
        ]

    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Errors are sent as application/problem+json (problems.py): the document says so."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for methods in schema["paths"].values():
            for operation in methods.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {problems.MEDIA_TYPE: content["application/json"]}
        return schema


api = StafettAPI(
    title="Stafett API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=_docs_rule,
)
problems.install(api)
api.add_router("/", people_api.router)
api.add_router("/", systems_api.router)
