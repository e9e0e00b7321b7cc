"""`Forward`: an attribute of a fake's facade that lives on one of its parts.

The fakes are built from parts (state, knobs, routes, driver...), but tests use them through
one object: they read and turn knobs on it (``fake.nonce_window = 0.0``), call the parts'
methods on it (``fake.slash(...)``), and sometimes replace one of those methods for a test
(``monkeypatch.setattr(fake, "can_use_command", ...)``). A `Forward` keeps all three working
without copying anything: reads and writes go through to the part, so a replaced method is
also the one the part itself calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


class Forward(Generic[T]):
    """``name = Forward[int]("state")`` on a class: ``obj.name`` is ``obj.state.name``."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Self: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> T: ...

    def __get__(self, obj: object | None, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return getattr(getattr(obj, self.part), self.name)

    def __set__(self, obj: object, value: T) -> None:
        setattr(getattr(obj, self.part), self.name, value)


def forward_method(part: str, method: Callable[Concatenate[Any, P], R]) -> Forward[Callable[P, R]]:
    """``slash = forward_method("driver", InteractionDriver.slash)``: the part's method of the
    same name, typed and documented as it is there."""
    forward: Forward[Callable[P, R]] = Forward(part)
    forward.__doc__ = method.__doc__
    return forward
