"""How the fake Kling reads requests and writes answers like the platform: the JSON body rules,
error bodies with the API's codes (and ``Retry-After``), dropped connections, and the record of
each call, with the bearer token redacted: test output is often pasted into issues, and the
bot's tests must not teach anybody to leak a real token."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

Endpoint = Literal["create", "tasks", "video"]
"""``create`` = POST /kling/videos, ``tasks`` = POST /kling/tasks, ``video`` = GET /cdn/..."""

# Default error codes / messages per status, taken from the fixtures and the API notes, so a
# scripted failure looks like the real thing without every test spelling it out.
_DEFAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is invalid."),
    401: ("invalid_token", "The specified token is invalid or wrong."),
    403: ("used_up", "Your balance is not sufficient for current request."),
    404: ("no_api", "The requested API does not exist."),
    429: ("too_many_requests", "You have exceeded the rate limit."),
    500: ("api_error", "Internal server error."),
}

# Risk control (content refused): a create answered 403 with this code (the used-up balance is
# 403 ``used_up``), and the words a task failed for its content carries (``api_error`` code).
RISK_CONTROL_CODE = "forbidden"
RISK_CONTROL_MESSAGE = "Content was blocked by risk control"

DROPPED = 599
"""The status of the placeholder answer `drop` returns (never sent: the connection is gone)."""


@dataclass
class RecordedRequest:
    """One API call the fake received, kept so tests can assert on what the bot sent.

    ``headers`` has the ``authorization`` value redacted (see module docstring); ``authorized``
    says whether it carried the right bearer token. ``status`` is the HTTP status the fake
    answered, ``None`` if it dropped the connection (or has not answered yet).
    """

    endpoint: Endpoint
    json: Any
    headers: dict[str, str]
    time: float
    authorized: bool
    status: int | None = None


def record(endpoint: Endpoint, request: web.Request, body: Any, token: str) -> RecordedRequest:
    """The record of one call: headers with the token redacted, whether it was authorized."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    authorized = headers.get("authorization") == f"Bearer {token}"
    if "authorization" in headers:
        headers["authorization"] = "<redacted>"
    return RecordedRequest(endpoint, body, headers, time.time(), authorized)


def error_json(
    status: int,
    code: str | None = None,
    message: str | None = None,
    retry_after: float | None = None,
    *,
    bare: bool = False,
) -> web.Response:
    """The API's error answer: ``{"success": false, "error": {code, message}, "trace_id"}``
    (with ``bare``, an error object with its code only)."""
    default_code, default_message = _DEFAULT_ERRORS.get(
        status,
        ("api_error", "Internal server error.")
        if status >= 500
        else ("bad_request", "The request is invalid."),
    )
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = (
            str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        )
    error = {"code": code or default_code}
    if not bare:
        error["message"] = message or default_message
    body = {"success": False, "error": error, "trace_id": str(uuid.uuid4())}
    return web.json_response(body, status=status, headers=headers)


def drop(request: web.Request) -> web.Response:
    """Close the connection so the client sees a disconnect instead of an HTTP answer.

    aiohttp then fails to write the returned response and ignores it (ConnectionError).
    """
    request.protocol.force_close()
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=DROPPED)


async def read_json(request: web.Request) -> tuple[Any, str | None]:
    """Parse the body; the error string is the 400 message the API would give."""
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        return None, "The request body is not valid JSON."
    if request.content_type != "application/json":
        return body, "content-type must be application/json."
    if not isinstance(body, dict):
        return body, "The request body must be a JSON object."
    return body, None
