"""The refusal of a request the model table says cannot run: its own module so the option
checks spread over `validation`, `resolution`, `omni` and `multishot` can raise it without
importing each other."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.errors import DomainError


class InvalidOptions(DomainError, ValueError):
    """The request cannot run as asked: `code` and `params` say why and what is allowed,
    `option` names the culprit."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None, *,
                 option: str) -> None:
        super().__init__(code, params)
        self.option = option
