"""How the suite is laid out on pytest-xdist's workers (tests/conftest.py): each group that
shares a fixture, a clock or a Link session is one unit of work for xdist's scheduler."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from xdist.scheduler import LoadGroupScheduling

from tests.conftest import (
    FIRST_GROUPS,
    LINK_FILE,
    REAL_TIME_GROUP,
    _FirstGroupsFirst,
    grouped_id,
)


def groups(session: pytest.Session) -> dict[str, list[pytest.Item]]:
    """The suite's tests by the group conftest gave them."""
    found: dict[str, list[pytest.Item]] = {}
    for item in session.items:
        mark = item.get_closest_marker("xdist_group")
        if mark is not None:
            found.setdefault(str(mark.args[0]), []).append(item)
    return found


def test_xdist_sees_each_group_as_one_unit_of_work(request: pytest.FixtureRequest) -> None:
    """A group whose name xdist could not read back from a test's id would be spread over
    the workers, its shared fixture made again on each (a corpus piece parsed three times)."""
    found = groups(request.session)
    if len(found) < 10:
        pytest.skip("only part of the suite was collected")
    for group, items in found.items():
        for item in items:
            nodeid = grouped_id(item.nodeid, group)
            assert LoadGroupScheduling._split_scope(None, nodeid) == group, nodeid  # type: ignore[arg-type]
    corpus = [group for group in found if group.startswith("tests/test_corpus.py with piece=")]
    assert len(corpus) > 40  # a group a piece


def test_the_clock_and_link_tests_are_in_the_groups_handed_out_first(
    request: pytest.FixtureRequest,
) -> None:
    found = groups(request.session)
    if not set(FIRST_GROUPS) <= set(found):
        pytest.skip("only part of the suite was collected")
    for group in FIRST_GROUPS:
        assert all(item.get_closest_marker("real_time") for item in found[group]), group
    assert {item.nodeid.split("::")[0] for item in found["link"]} == {LINK_FILE}
    clocked = {item.nodeid.split("::")[0] for item in found[REAL_TIME_GROUP]}
    assert {"tests/test_jack.py", "tests/test_midi_out.py"} <= clocked


def test_the_first_groups_are_handed_out_before_bigger_ones() -> None:
    """xdist hands out the groups with the most tests first; the suite's scheduler hands out
    the clock and Link groups before them, then the rest as xdist would."""
    scheduler = object.__new__(_FirstGroupsFirst)  # its work queue alone, no workers
    units = {
        "tests/test_big.py": [f"tests/test_big.py::t{i}" for i in range(80)],
        "link": ["tests/test_link.py::a", "tests/test_link.py::b"],
        "tests/test_small.py": ["tests/test_small.py::a", "tests/test_small.py::b"],
        REAL_TIME_GROUP: ["tests/test_jack.py::a", "tests/test_midi_out.py::a"],
    }
    scheduler.workqueue = OrderedDict(
        (group, {f"{test}@{group}": False for test in tests}) for group, tests in units.items()
    )
    collection = [nodeid for unit in scheduler.workqueue.values() for nodeid in unit]
    scheduler.assigned_work, scheduler.registered_collections = {}, {}
    handed: list[str] = []

    class Worker:
        def send_runtest_some(self, indexes: list[int]) -> None:
            handed.append(collection[indexes[0]].split("@")[-1])

    for _ in units:
        worker = Worker()
        scheduler.registered_collections[worker] = collection
        scheduler._assign_work_unit(worker)
    assert handed == [*FIRST_GROUPS, "tests/test_big.py", "tests/test_small.py"]
