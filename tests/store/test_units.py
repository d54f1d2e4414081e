"""Units of work: undos replayed newest first, nested units, and nothing recorded outside a unit."""

import pytest

from mock_server.store.units import UnitOfWork


def test_a_failed_unit_replays_its_undos_newest_first():
    units, undone = UnitOfWork(), []
    with pytest.raises(RuntimeError):
        with units.unit():
            units.record(lambda: undone.append(1))
            units.record(lambda: undone.append(2))
            raise RuntimeError("boom")
    assert undone == [2, 1] and not units.open


def test_an_inner_failure_undoes_only_the_inner_unit():
    units, undone = UnitOfWork(), []
    with units.unit():
        units.record(lambda: undone.append("outer"))
        with pytest.raises(ValueError):
            with units.unit():
                units.record(lambda: undone.append("inner"))
                raise ValueError("step failed")
        assert undone == ["inner"]
    assert undone == ["inner"]  # the outer unit succeeded: its change stays


def test_a_succeeded_inner_unit_is_undone_with_the_outer_one():
    units, undone = UnitOfWork(), []
    with pytest.raises(RuntimeError):
        with units.unit():
            units.record(lambda: undone.append("outer"))
            with units.unit():
                units.record(lambda: undone.append("inner"))
            raise RuntimeError("late failure")
    assert undone == ["inner", "outer"]


def test_undoing_records_nothing_in_the_unit_around():
    units, undone = UnitOfWork(), []
    with pytest.raises(RuntimeError):
        with units.unit():
            with pytest.raises(ValueError):
                with units.unit():
                    # an undo that itself changes memory (as Collection's do) must not be noted again
                    units.record(lambda: units.record(lambda: undone.append("undo of the undo")))
                    raise ValueError
            raise RuntimeError
    assert undone == []


def test_nothing_is_recorded_outside_a_unit():
    units = UnitOfWork()
    units.record(lambda: pytest.fail("recorded outside a unit"))
    with units.unit():
        pass
    assert not units.open
