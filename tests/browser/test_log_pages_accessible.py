"""A sweep over the pages (mostly stafettlogg pages) each demo person reaches by
following links from their start page, up to three clicks deep, one page per
route, each checked with axe-core and for Content-Security-Policy errors in
Chromium's console (conftest.check_a11y)."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKIP_SUFFIXES = (".pdf", ".ics", ".csv")
SKIP_PREFIXES = ("/admin/", "/static/", "/demo/", "/logg-inn/", "/logg-ut/")
MAX_PAGES = 30
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def kind_of_page(url: str) -> str:
    """One page per route is enough: /logg/<code>/ for one log stands for all logs."""
    return UUID.sub("*", urlsplit(url).path)


def same_site_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href).split("#")[0]
        path = urlsplit(url).path
        if not url.startswith(base) or path.endswith(SKIP_SUFFIXES) or path.startswith(SKIP_PREFIXES):
            continue
        found.append(url)
    return found


def sweep(page, live_server, name: str) -> list[str]:
    login_as(page, live_server, name)
    start = live_server.url + "/"
    seen = {kind_of_page(start)}
    queue = [(url, 1) for url in same_site_links(page, live_server.url)]
    visited = []
    while queue and len(visited) < MAX_PAGES:
        url, depth = queue.pop(0)
        if kind_of_page(url) in seen:
            continue
        seen.add(kind_of_page(url))
        try:
            response = page.goto(url)
        except PlaywrightError as e:
            if "Download is starting" in str(e):  # a file (consent document), not a page
                continue
            raise
        assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        check_a11y(page)
        visited.append(kind_of_page(url))
        if depth < 3:
            queue.extend((link, depth + 1) for link in same_site_links(page, live_server.url))
    return visited


@pytest.mark.parametrize(
    "name",
    ["Kari Lunde", "Tor Aasen", "Berit Solheim", "Trude Lie", "Randi Nilsen", "Silje Hansen"],
    ids=["employee", "log-holder", "leader", "system-admin", "superuser", "guardian"],
)
def test_pages_reachable_from_the_start_page_are_accessible(page, live_server, seeded, name):
    visited = sweep(page, live_server, name)
    assert visited, f"{name} reached no pages from the start page"
