"""What the core has to say to a person, as data: a code and plain parameters, never a sentence.

The Discord layer turns a code into words at display time (`bot.discord.i18n.render`), so a refusal
or a stored failure can be shown in the reader's language, and no Discord markup is written by
the core. A code is the key of its sentence in the catalogue (`invalid.duration`,
`quota.exceeded`); parameters are plain values: ints, strs, lists of names or ids, and moments
as UNIX timestamps.

`Notice` is such a message as a value (a moderator alert, how a job ended); `DomainError` is one
raised: every refusal the core makes (invalid options, quota, a pause, a cancel that cannot be,
a server's policy) builds on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Notice:
    """Something to tell someone: the code of its sentence and the sentence's parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


class DomainError(Exception):
    """A refusal the core raises, carrying data only: `code` and read-only `params`.

    Not a frozen dataclass: the interpreter and `contextlib` set attributes such as
    `__traceback__` on exceptions they pass along.
    """

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self._notice = Notice(code, MappingProxyType(dict(params or {})))
        super().__init__(code, dict(self._notice.params))

    @property
    def code(self) -> str:
        """The catalogue key of the sentence that explains the refusal."""
        return self._notice.code

    @property
    def params(self) -> Mapping[str, Any]:
        """The sentence's parameters (read-only)."""
        return self._notice.params

    @property
    def notice(self) -> Notice:
        """The refusal as a `Notice`, for a path that stores or sends it instead of raising."""
        return self._notice

    def __str__(self) -> str:
        # For logs: the code and its data. Members read the Discord layer's sentence.
        return f"{self.code} {dict(self.params)}" if self.params else self.code
