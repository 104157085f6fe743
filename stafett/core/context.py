from django.conf import settings
from django.http import HttpRequest

from stafett.lib.languages import LANGUAGE_CHOICES


def site(request: HttpRequest) -> dict[str, object]:
    return {"demo_mode": settings.DEMO, "language_choices": LANGUAGE_CHOICES}
