"""Wide-area latency emulated at the application layer (no netem on one machine).

A node started with an :class:`EmulatedLatency` waits one drawn one-way delay
before it reads a request and another before it sends the reply, so a hub on
loopback sees a round trip as from a node in another region. Draws are uniform
in ``[low_ms, high_ms]`` from a seeded generator, so a benchmark run is repeatable.
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*$")


@dataclass(frozen=True)
class EmulatedLatency:
    """A one-way delay drawn per request and per reply.

    :param low_ms: the shortest one-way delay.
    :param high_ms: the longest one-way delay.
    :param seed: the generator's seed.
    """

    low_ms: float
    high_ms: float
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.low_ms <= self.high_ms:
            raise ValueError("latency needs 0 <= low <= high (milliseconds)")
        object.__setattr__(self, "_rng", random.Random(self.seed))

    def draw_s(self) -> float:
        """One one-way delay, in seconds."""
        return self._rng.uniform(self.low_ms, self.high_ms) / 1000.0

    @property
    def middleware(self) -> Any:
        """An ASGI middleware class bound to this latency (for ``app.add_middleware``)."""
        latency = self

        class _Delay:
            def __init__(self, app: ASGIApp) -> None:
                self.app = app

            async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
                if scope["type"] != "http":
                    await self.app(scope, receive, send)
                    return
                await asyncio.sleep(latency.draw_s())  # the request's way in
                delayed = False

                async def send_later(message: Message) -> None:
                    nonlocal delayed
                    if message["type"] == "http.response.start" and not delayed:
                        delayed = True
                        await asyncio.sleep(latency.draw_s())  # the reply's way back
                    await send(message)

                await self.app(scope, receive, send_later)

        return _Delay


def parse_latency(text: str, *, seed: int = 0) -> EmulatedLatency:
    """``"20-40"`` (milliseconds, one way) or ``"150"`` -> :class:`EmulatedLatency`.

    :param text: the option's value.
    :param seed: the generator's seed.
    :raises ValueError: naming the text when it is not N or LOW-HIGH.
    """
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"latency {text!r}: expected N or LOW-HIGH milliseconds, e.g. 20-40")
    low = float(match[1])
    high = float(match[2]) if match[2] else low
    return EmulatedLatency(low, high, seed=seed)
