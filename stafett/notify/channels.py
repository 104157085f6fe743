"""Delivery channels. E-mail through Django's mail (works with any anymail backend via
EMAIL_BACKEND); SMS through a small provider interface with console and file backends
for development — a real SMS gateway is one more class with `send`."""

import sys
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from stafett.notify.texts import SUBJECT, line_for


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> None: ...


class ConsoleSms:
    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"--- SMS til {to} ---\n{text}\n")
        sys.stdout.flush()


class FileSms:
    """Appends each SMS to a file; for development and tests."""

    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, to: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(f"{to}\t{text}\n")


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()  # type: ignore[no-any-return]


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_email(*, to: str, name: str, kind: str, path: str, whose: str = "", unreachable: str = "") -> None:
    line = line_for(kind, whose, unreachable)
    context = {"subject": SUBJECT, "line": line, "url": absolute(path), "name": name}
    subject = render_to_string("notify/email/notification-subject.txt", context).strip()
    text = render_to_string("notify/email/notification-body.txt", context)
    html = render_to_string("notify/email/notification-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def send_sms(*, to: str, kind: str, path: str, whose: str = "", unreachable: str = "", secret: str = "") -> None:
    line = line_for(kind, whose, unreachable)
    if secret:
        line = line.format(secret=secret)
    sms_backend().send(to, f"Stafett: {line} {absolute(path)}")
