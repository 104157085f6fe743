"""Lists page their results: no page shows more than one page's rows, so nobody reads a whole
register in one request (issue 13 §10). `?side=2` picks the page; `_pager.html` links them."""

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_PARAMETER = "side"


def page_of(request: HttpRequest, rows: Any, per_page: int | None = None) -> Page[Any]:
    """The page `?side=` asks for: no number gives the first page, one out of range the last."""
    paginator = Paginator(rows, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get(PAGE_PARAMETER))
