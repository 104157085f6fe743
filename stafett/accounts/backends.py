from typing import Any

from django.http import HttpRequest

from stafett.people.models import Person


class PersonBackend:
    """Loads the signed-in person for each request. Nobody logs in with a password:
    accounts/oidc.py decides who someone is and calls django.contrib.auth.login."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> Person | None:
        return Person.objects.filter(pk=user_id).first()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
