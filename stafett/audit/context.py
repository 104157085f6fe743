"""Request facts the audit trail records (the client's IP), set by middleware.

Actions take the acting person explicitly; the IP is a property of the
request, not of the action, so it travels in a context variable instead of
through every function signature.
"""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)
