"""What the fake's REST answers look like on the wire: JSON with exactly the content type
discord.py decodes, and Discord's error answers (an HTTP status with ``{"message", "code"}``,
plus the nested ``errors`` object of a 400 Invalid Form Body). Any part raises a
`DiscordError`; the REST router turns it into the answer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from testkit.fakes.discord.models import JSON


def to_json_bytes(data: Any) -> bytes:
    """Compact JSON, as Discord sends it."""
    return json.dumps(data, separators=(",", ":")).encode()


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """JSON answer with ``Content-Type: application/json`` exactly.

    discord.py only decodes JSON when the header equals that string; aiohttp's
    ``json_response`` appends ``; charset=utf-8`` and breaks login.
    """
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=to_json_bytes(data), headers=all_headers)


class DiscordError(Exception):
    """An error answer exactly like Discord's: HTTP status plus ``{"message", "code"}``."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        """The JSON error body, with ``errors`` only when the answer has field errors."""
        out: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        return out


def invalid_form(field_name: str, code: str, message: str) -> DiscordError:
    """400/50035 with the nested ``errors`` object Discord uses for validation failures."""
    errors: JSON = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field_name.split(".")):
        errors = {part: errors}
    return DiscordError(400, 50035, "Invalid Form Body", errors)
