"""Kling API failures as types, so callers decide by kind and never by parsing strings."""

from __future__ import annotations


class KlingError(Exception):
    """An answer from the API that is not a success. Carries the API's own code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"Kling API {status} {code}: {message}")


class KlingBadRequest(KlingError):
    """400: the API rejected the request; its message is shown to the user."""


class KlingAuthError(KlingError):
    """401: the operator's token is wrong or expired."""


class KlingBalanceExhausted(KlingError):
    """403 used_up: the operator's balance is spent."""


class KlingContentRefused(KlingError):
    """403 forbidden: the platform's risk control refused this request's content. About one
    request, not the account: refund it and tell the member; new jobs go on."""


class KlingNotFound(KlingError):
    """404: the base URL is wrong (an operator error)."""


class KlingRateLimited(KlingError):
    """429: slow down; `retry_after` is the server's hint in seconds when it gave one."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None) -> None:
        super().__init__(status, code, message)
        self.retry_after = retry_after


class KlingServerError(KlingError):
    """5xx with an answer from the platform."""


class KlingUnreachable(Exception):
    """No answer. `request_sent` tells whether the API may have acted on the request."""

    def __init__(self, detail: str, *, request_sent: bool) -> None:
        self.request_sent = request_sent
        super().__init__(detail)
