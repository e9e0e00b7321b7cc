"""``GET /gateway`` and ``/gateway/bot``: where to connect, and how many shards to run."""

from __future__ import annotations

from testkit.fakes.discord.models import JSON
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.state import FakeState


class GatewayRoutes:
    """Tells discord.py where the gateway is (this fake) and how many shards to run."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    def register(self, router: Router) -> None:
        """Add the gateway routes to `router`."""
        router.add("GET", "/gateway", self._get_gateway)
        router.add("GET", "/gateway/bot", self._get_gateway_bot)

    def _get_gateway(self, req: Req) -> JSON:
        return {"url": self._state.gateway_url.rstrip("/")}

    def _get_gateway_bot(self, req: Req) -> JSON:
        return {
            "url": self._state.gateway_url.rstrip("/"),
            "shards": self._state.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000,
                                    "max_concurrency": 1},
        }
