"""The core's notion of "now": a callable handed to every piece that reads the time, so a test
(or a second process in a test) can move time for the whole core at once."""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]
