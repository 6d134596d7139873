"""Admission to heavy work: a few requests of a kind at once, the others wait briefly, then 503.

Every route runs in one pool of ``PERMED_WEB_THREADS`` worker threads. Left alone, a burst of
expensive requests (corpus queries, chart images, helpdesk answers, directory searches,
transfer assessments, PDF prints, questions fanned out to the biobanks) held every thread,
and 40 threads computing in Python share one interpreter lock: the cheap pages (the login
form, a Delphi expert's rating form) waited behind them for seconds. A :class:`Gate` admits
at most ``capacity`` requests of its kind; the others wait on the event loop, holding no
thread, for up to ``wait_s`` seconds and then get :class:`~permed_atlas.errors.BusyError`
(503 with ``Retry-After``). A freed place goes to the waiting request whose client holds the
fewest places (the oldest among equals), so one client's burst does not make another
client's single request wait behind it.

A gate lives on one event loop (the server's); ``enter`` and ``leave`` are called there only.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import anyio

from permed_atlas.errors import BusyError
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.settings import Settings

# What the person who asked reads, per kind of work.
_BUSY = {
    "compute": gettext_noop(
        "The server is computing as many searches, answers, assessments, dashboards, networks, "
        "exports and charts as it can at once; please try again in %(seconds)s s."
    ),
    "pdf": gettext_noop(
        "The server is printing as many PDFs as it can at once; please try again in %(seconds)s s."
    ),
    "hub": gettext_noop(
        "The server is asking the biobanks as many questions as it can at once; please try "
        "again in %(seconds)s s."
    ),
}
KINDS = tuple(_BUSY)


@dataclass(eq=False)
class _Waiter:
    client: str
    admitted: anyio.Event = field(default_factory=anyio.Event)


class Gate:
    """At most ``capacity`` requests of one kind at once; the rest wait up to ``wait_s``.

    :param kind: one of :data:`KINDS`, naming the work in the busy message.
    :param capacity: requests admitted at once.
    :param wait_s: how long a request waits for a place before it is refused.
    """

    def __init__(self, kind: str, capacity: int, *, wait_s: float) -> None:
        self.kind = kind
        self.capacity = capacity
        self.wait_s = wait_s
        self.running = 0
        self._waiting: list[_Waiter] = []
        self._held: Counter[str] = Counter()  # places held, per client

    @property
    def waiting(self) -> int:
        """Requests waiting for a place."""
        return len(self._waiting)

    async def enter(self, client: str) -> None:
        """Take a place for ``client``, waiting for one up to ``wait_s`` seconds.

        :param client: who asks (an address or network), for sharing places fairly.
        :raises BusyError: no place came free in time.
        """
        if self.running < self.capacity and not self._waiting:
            self._admit(client)
            return
        waiter = _Waiter(client)
        self._waiting.append(waiter)
        try:
            with anyio.move_on_after(self.wait_s):
                await waiter.admitted.wait()
        except BaseException:
            # cancelled (the request went away), maybe just as a place was handed over
            if waiter.admitted.is_set():
                self.leave(client)
            else:
                self._waiting.remove(waiter)
            raise
        if not waiter.admitted.is_set():
            self._waiting.remove(waiter)
            seconds = max(1, math.ceil(self.wait_s))
            raise BusyError(Message(_BUSY[self.kind], seconds=seconds), retry_after=seconds)

    def leave(self, client: str) -> None:
        """Give back ``client``'s place: to the fairest waiting request, or free.

        :param client: as given to :meth:`enter`.
        """
        self.running -= 1
        self._held[client] -= 1
        if self._held[client] <= 0:
            del self._held[client]
        if self._waiting and self.running < self.capacity:
            fewest = min(self._held.get(w.client, 0) for w in self._waiting)
            chosen = next(w for w in self._waiting if self._held.get(w.client, 0) == fewest)
            self._waiting.remove(chosen)
            self._admit(chosen.client)
            chosen.admitted.set()

    def _admit(self, client: str) -> None:
        self.running += 1
        self._held[client] += 1


def make_gates(settings: Settings) -> dict[str, Gate]:
    """The gates of one app, sized by the settings.

    :param settings: ``heavy_queries``, ``pdf_renders``, ``hub_queries`` and
        ``busy_wait_seconds``.
    """
    capacities = {
        "compute": settings.heavy_queries,
        "pdf": settings.pdf_renders,
        "hub": settings.hub_queries,
    }
    return {
        kind: Gate(kind, capacity, wait_s=settings.busy_wait_seconds)
        for kind, capacity in capacities.items()
    }
