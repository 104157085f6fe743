"""Each API operation declares its rule, as every page does (stafett/access.py): "signed_in",
an Action for a log, or the SystemScope a system needs. tests/test_every_view_declares_access.py
walks the API's operations and fails for one without a rule."""

from collections.abc import Callable
from typing import Any

Operation = Callable[..., Any]


def declares(rule: str) -> Callable[[Operation], Operation]:
    def decorator(operation: Operation) -> Operation:
        operation.access_rule = rule  # type: ignore[attr-defined]
        return operation

    return decorator
