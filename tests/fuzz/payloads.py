"""Bad input for every form (issue 13 §2), shared by tests/fuzz/test_no_server_errors.py and
bench/fuzz.py, so the suite and the live-server run send the same kinds of requests.

Everything is built from one `random.Random`: the fuzz test hands in Hypothesis's own
(`st.randoms()`, so failures replay and shrink), the bench a seeded one. No Django here: a
request is plain bytes (`FuzzRequest`) that the test client and `requests` can both send.

The forms are read from the pages themselves (`harvest_forms`): each field keeps the value the
page offered (a real person, unit or date), and a few fields at a time are swapped for bad
values — so the requests get past the first check and reach the actions and templates behind it.
"""

import json
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlsplit

# --- values ----------------------------------------------------------------------------

HUGE_NUMBERS = [
    "99999999999999999999999",
    "-99999999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "-2147483649",
    "1e308",
    "1e999",
    "-1",
    "0",
    "NaN",
    "inf",
    "-0",
    "١٢٣",  # Arabic-Indic digits: int() accepts them
    "0x10",
    "1_000",
    "   7   ",
]
DATES = [
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:30",
    "2100-12-31T23:59",
    "1900-01-01T00:00",
    "2026-03-29T02:30",  # does not exist in Norway (summer time starts)
    "2026-10-25T02:30",  # happens twice (summer time ends)
    "0001-01-01T00:00",
    "10000-01-01",
    "2024-02-30",
    "2023-02-29",
    "1899-12-31",
    "2101-01-01",
    "31.12.9999",
    "01.01.0001",
    "-0001-01-01",
    "2026-13-01",
    "2026-00-00",
    "9999-12-31 23:59:59",
    "2026-06-01T25:61",
    "23:59:60",
    "24:00",
    "99:99",
]
BAD_UUIDS = [
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "0000",
    "' OR 1=1 --",
    "{}",
    "../../etc/passwd",
]
TEXTS = [
    "",
    " ",
    "a\x00b",
    "\x00",
    "\u202eevil",
    "\U0001f600" * 50,
    "e\u0301" * 100,
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% now 'Y' %}",
    "%s%n%x",
    "\r\n\r\nX-Injected: 1",
    "\ufeff\ufffe",
    "NULL",
    "true",
    "[]",
    "14832150216",  # looks like a national ID number
]
OVERLONG = [256, 1_001, 10_001, 100_001]
# Bytes that are not UTF-8, percent-encoded into a form body that claims to be UTF-8.
NON_UTF8 = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"caf\xe9", b"\x80" * 40, b"\xf4\x90\x80\x80"]
JUNK_FILES = [
    ("samtykke.pdf", "application/pdf", b"%PDF-1.4\n%junk\x00\xff"),
    ("bilde.jpg", "image/jpeg", b"\xff\xd8\xff\xe0garbage"),
    ("tom.pdf", "application/pdf", b""),
    ("ansatte.csv", "text/csv", b"fornavn;etternavn\n\xff\xfe;\x00\n" + b"a;" * 500),
    ("x.exe", "application/octet-stream", b"MZ\x90\x00" * 64),
    ("../../utenfor.pdf", "application/pdf", b"%PDF-1.4\n"),
    ("\x00.pdf", "application/pdf", b"%PDF"),
]
EXTRA_FIELDS = ["version", "id", "pk", "code", "person", "unit", "log", "status", "is_staff", "next", "__proto__"]
METHODS = ["GET", "POST", "POST", "POST", "POST", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def bad_value(rng: random.Random, f: "Field", others: list[str]) -> list[bytes]:
    """A bad value (or several, or none) for one field."""
    kind = rng.choice(["number", "date", "uuid", "text", "long", "bytes", "list", "other", "missing", "real"])
    if kind == "number":
        values = [rng.choice(HUGE_NUMBERS)]
    elif kind == "date":
        values = [rng.choice(DATES)]
    elif kind == "uuid":
        values = [rng.choice([*BAD_UUIDS, str(uuid.UUID(int=rng.getrandbits(128)))])]
    elif kind == "text":
        values = [rng.choice(TEXTS)]
    elif kind == "long":
        values = [rng.choice("xæ\x00<") * rng.choice(OVERLONG)]
    elif kind == "bytes":
        return [rng.choice(NON_UTF8)]
    elif kind == "list":  # a list where one value is expected
        values = [rng.choice([*f.options, *HUGE_NUMBERS[:3], "x"]) for _ in range(rng.randint(2, 4))]
    elif kind == "other":  # a real value of another field (a unit id in a person field, …)
        values = [rng.choice(others)] if others else ["1"]
    elif kind == "missing":
        values = []
    else:
        values = [rng.choice(f.options)] if f.options else list(f.values)
    return [v.encode("utf-8", "surrogatepass") for v in values]


# --- forms, read from the pages ---------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    values: list[str] = field(default_factory=list)  # what the page would send
    options: list[str] = field(default_factory=list)  # every value the page offers


@dataclass
class Form:
    action: str  # path
    method: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))
            if "selected" in a:
                self.select.values.append(a.get("value", ""))
            return
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path).path or self.page_path
            method = (a.get("method") or "get").upper()
            multipart = "multipart" in a.get("enctype", "")
            self.current = Form(action, method, multipart)
            self.forms.append(self.current)
            return
        if self.current is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                kind = "submit"
            f = self.current.fields.setdefault(name, Field(name, kind))
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            f.options.append(value)
            checked = "checked" in a
            if (kind not in ("checkbox", "radio", "submit", "file") or checked) and name != "csrfmiddlewaretoken":
                f.values.append(value)
        elif tag == "select":
            self.select = self.current.fields.setdefault(name, Field(name, "select"))
        elif tag == "textarea":
            self.textarea = self.current.fields.setdefault(name, Field(name, "textarea"))
            self.textarea.values.append("")
        elif tag == "button" and a.get("value"):
            self.current.fields.setdefault(name, Field(name, "submit")).options.append(a["value"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None and self.textarea.values:
            self.textarea.values[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None:
            if not self.select.values and self.select.options:
                self.select.values.append(self.select.options[0])
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def harvest_forms(page_path: str, html: str) -> list[Form]:
    """The forms on a page: where they post, and what their fields would send."""
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms


def forms_by_name(forms: list[Form], name_of: Callable[[str], str | None]) -> dict[tuple[str, str], Form]:
    """One form per (URL name, method), with the fields of every page that had it: the form
    that adds a goal to one log is the form for every log's goal page."""
    merged: dict[tuple[str, str], Form] = {}
    for f in forms:
        name = name_of(f.action)
        if name is None:
            continue
        into = merged.setdefault((name, f.method), Form(f.action, f.method, f.multipart))
        into.multipart = into.multipart or f.multipart
        for name, fld in f.fields.items():
            if name not in into.fields:
                into.fields[name] = fld
            else:
                into.fields[name].options.extend(o for o in fld.options if o not in into.fields[name].options)
    return merged


def linked_files(html: bytes) -> list[str]:
    """Calendar files and printouts a page links to: they render stored data in other formats."""
    found = re.findall(rb'href="(/[^"]+\.(?:ics|pdf|csv))"', html)
    return sorted({f.decode() for f in found if not f.endswith(b".pdf")})[:3]


# --- requests --------------------------------------------------------------------------


@dataclass
class FuzzRequest:
    method: str
    path: str  # with its query string
    body: bytes
    content_type: str
    headers: dict[str, str]
    note: str  # what kind of request, for the report

    def describe(self, limit: int = 400) -> str:
        body = self.body[:limit]
        more = f" … ({len(self.body)} bytes)" if len(self.body) > limit else ""
        return f"{self.method} {self.path[:limit]} [{self.content_type}] ({self.note}) {body!r}{more}"


def _urlencode(pairs: list[tuple[str, bytes]]) -> bytes:
    return "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}" for k, v in pairs).encode("ascii")


def _multipart(rng: random.Random, pairs: list[tuple[str, bytes]], files: list[str]) -> tuple[bytes, str]:
    boundary = f"fuzz{rng.getrandbits(64):x}"
    out = bytearray()
    for name, value in pairs:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value + b"\r\n"
    for name in files:
        filename, ctype, content = rng.choice(JUNK_FILES)
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="'.encode()
        out += filename.encode("utf-8", "surrogatepass") + f'"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
        out += content + b"\r\n"
    if rng.random() < 0.1:  # a body cut short
        return bytes(out[: len(out) // 2]), f"multipart/form-data; boundary={boundary}"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


# What a person would type into an empty field: without it most forms stop at «required».
FILLERS = {
    "text": "Emma leker ute",
    "textarea": "Emma leker mest alene.",
    "date": "2026-12-24",
    "datetime-local": "2026-12-24T10:00",
    "time": "10:00",
    "number": "2",
    "email": "ny.person@example.com",
    "tel": "40000000",
}


def plausible(rng: random.Random, f: Field) -> list[str]:
    """The page's own value, or a plausible one where the page left the field empty."""
    if f.kind == "select" and f.values in ([], [""]) and any(f.options) and rng.random() < 0.7:
        return [rng.choice([o for o in f.options if o])]
    if f.values in ([], [""]) and f.kind in FILLERS and rng.random() < 0.8:
        return [FILLERS[f.kind]]
    return f.values


def form_values(rng: random.Random, form: Form, *, mutations: int) -> tuple[list[tuple[str, bytes]], list[str]]:
    """What the page would send, with `mutations` fields (or extra fields) made bad."""
    fields = [f for f in form.fields.values() if f.name != "csrfmiddlewaretoken"]
    others = sorted({o for f in fields for o in f.options if o})
    bad = set(rng.sample([f.name for f in fields], min(mutations, len(fields)))) if fields else set()
    pairs: list[tuple[str, bytes]] = []
    files: list[str] = []
    for f in fields:
        if f.kind == "file":
            if f.name in bad and rng.random() < 0.3:
                continue
            files.append(f.name)
            continue
        if f.kind == "submit":
            if f.options and rng.random() < 0.7:
                pairs.append((f.name, rng.choice(f.options).encode()))
            continue
        if f.name in bad:
            pairs.extend((f.name, v) for v in bad_value(rng, f, others))
        elif f.kind in ("checkbox", "radio") and f.options and rng.random() < 0.3:
            pairs.append((f.name, rng.choice(f.options).encode()))  # another real choice
        else:
            pairs.extend((f.name, v.encode()) for v in plausible(rng, f))
    if not fields or rng.random() < 0.2:
        name = rng.choice(EXTRA_FIELDS)
        pairs.append((name, (bad_value(rng, Field(name, "text"), others) or [b"1"])[0]))
    return pairs, files


def build_request(
    rng: random.Random, path: str, form: Form | None, *, csrf_token: str = "", htmx_ok: bool = True
) -> FuzzRequest:
    """One bad request to `path`, shaped like its form where the page has one."""
    form = form or Form(path, "POST", False)
    method = rng.choice(METHODS) if rng.random() < 0.35 else form.method
    mutations = rng.choice([0, 1, 1, 1, 2, 3, 100])
    pairs, files = form_values(rng, form, mutations=mutations)
    headers: dict[str, str] = {}
    if htmx_ok and rng.random() < 0.25:
        headers["HX-Request"] = "true"
    token = csrf_token
    if token and rng.random() < 0.05:
        token = rng.choice(["", "x" * 64, token[::-1]])
    if method in ("GET", "HEAD", "OPTIONS"):
        query = _urlencode(pairs).decode()
        if rng.random() < 0.2:
            query = rng.choice(["%", "%zz", "a=%ff%fe", "a" * 9000, "&&&==&", "q=%00"])
        return FuzzRequest(method, f"{path}?{query}" if query else path, b"", "", headers, "query")
    if token:
        headers["X-CSRFToken"] = token
        pairs.insert(0, ("csrfmiddlewaretoken", token.encode()))
    shape = rng.choice(["form"] * 6 + ["multipart"] * 3 + ["charset", "json", "text", "empty", "none"])
    if form.multipart and shape == "form":
        shape = "multipart"
    if shape == "form":
        return FuzzRequest(method, path, _urlencode(pairs), "application/x-www-form-urlencoded", headers, "form")
    if shape == "multipart":
        body, ctype = _multipart(rng, pairs, files or (["fil"] if rng.random() < 0.3 else []))
        return FuzzRequest(method, path, body, ctype, headers, "multipart")
    if shape == "charset":
        charset = rng.choice(["latin-1", "utf-16", "ebcdic", "x-unknown", "utf-7"])
        ctype = f"application/x-www-form-urlencoded; charset={charset}"
        return FuzzRequest(method, path, _urlencode(pairs), ctype, headers, "charset")
    if shape == "json":
        as_json = {k: v.decode("utf-8", "replace") for k, v in pairs}
        return FuzzRequest(method, path, json.dumps(as_json).encode(), "application/json", headers, "json")
    if shape == "text":
        return FuzzRequest(
            method, path, b"\n".join(k.encode() + b"=" + v for k, v in pairs), "text/plain", headers, "text"
        )
    if shape == "empty":
        return FuzzRequest(method, path, b"", "application/x-www-form-urlencoded", headers, "empty")
    return FuzzRequest(method, path, _urlencode(pairs), "", headers, "no content type")
