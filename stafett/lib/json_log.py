"""The JSON log formatter for production (settings.LOGGING): python-json-logger's, with every
string value masked for national ID numbers as it is written. The filter on the handler
(national_id.MaskNationalIdsFilter) masks the message and the traceback text, but the JSON
formatter formats the traceback again from the exception and writes `extra` fields as given
(django.request adds the request object, whose repr holds the path) — so the masking is done
here too, on the finished record."""

from typing import Any

from pythonjsonlogger.json import JsonFormatter

from stafett.lib.national_id import mask_text


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float):
        return value
    # Anything else (Django's `request` in django.request's lines) would be written as its repr,
    # which holds the path: made a string here, so it is masked too.
    return mask_text(str(value))


class MaskedJsonFormatter(JsonFormatter):
    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: _masked(value) for key, value in super().process_log_record(log_data).items()}
