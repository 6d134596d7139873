"""The admission gate of heavy work: places, a short wait, 503, and fair hand-over."""

from __future__ import annotations

import anyio
import pytest

from permed_atlas.errors import BusyError
from permed_atlas.settings import Settings
from permed_atlas.web.admission import Gate, make_gates


def test_requests_beyond_the_places_wait_then_are_refused_with_a_time_to_come_back() -> None:
    async def main() -> None:
        gate = Gate("compute", 2, wait_s=0.05)
        await gate.enter("a")
        await gate.enter("b")
        assert gate.running == 2
        with pytest.raises(BusyError) as refused:
            await gate.enter("c")
        assert refused.value.retry_after == 1 and "try again in 1 s" in str(refused.value)
        assert gate.waiting == 0 and gate.running == 2
        gate.leave("a")
        await gate.enter("c")  # a freed place is taken at once
        assert gate.running == 2

    anyio.run(main)


def test_a_freed_place_goes_to_the_client_holding_fewest_then_the_oldest() -> None:
    admitted: list[str] = []

    async def main() -> None:
        gate = Gate("pdf", 2, wait_s=5)

        async def ask(name: str, client: str) -> None:
            await gate.enter(client)
            admitted.append(name)

        await gate.enter("burst")
        await gate.enter("burst")
        async with anyio.create_task_group() as tasks:
            for number in range(3):  # the burst's next requests queue first ...
                tasks.start_soon(ask, f"burst-{number}", "burst")
                await anyio.sleep(0.01)
            tasks.start_soon(ask, "other", "other")  # ... then one from someone else
            await anyio.sleep(0.01)
            assert gate.waiting == 4
            gate.leave("burst")
            await anyio.sleep(0.01)
            assert admitted == ["other"]  # it holds none: it goes before the burst's queue
            gate.leave("other")
            gate.leave("burst")
            await anyio.sleep(0.01)
            assert admitted == ["other", "burst-0", "burst-1"]  # then oldest first
            gate.leave("burst")
        assert admitted[-1] == "burst-2" and gate.running == 2

    anyio.run(main)


def test_a_request_that_goes_away_while_waiting_leaves_no_place_taken() -> None:
    async def main() -> None:
        gate = Gate("hub", 1, wait_s=5)
        await gate.enter("a")
        with anyio.move_on_after(0.05):
            await gate.enter("b")
        assert gate.waiting == 0 and gate.running == 1
        gate.leave("a")
        assert gate.running == 0

    anyio.run(main)


def test_each_kind_of_heavy_work_has_its_gate_sized_by_the_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=tmp_path,
        heavy_queries=3,
        pdf_renders=1,
        hub_queries=4,
        busy_wait_seconds=2.5,
    )
    gates = make_gates(settings)
    assert {kind: gate.capacity for kind, gate in gates.items()} == {
        "compute": 3,
        "pdf": 1,
        "hub": 4,
    }
    assert all(gate.wait_s == 2.5 for gate in gates.values())
