"""The workspace planner both network emitters (NumPy, torch) keep their arrays with."""

from __future__ import annotations

from symbackprop.lowering.workspace import WorkspacePlanner


def test_a_dead_deltas_array_holds_the_next_value_of_its_shape() -> None:
    # backward of 3-3:relu-2:relu-3:relu-1, as the NumPy module writes it
    planner = WorkspacePlanner()
    planner.begin("backward")
    assert planner.take("dZ3", "(3, m)") == "dZ3"
    assert planner.take("dZ2", "(2, m)") == "dZ2"
    planner.release("dZ3")
    assert planner.take("dZ1", "(3, m)") == "dZ3"  # free again: no array of its own
    assert planner.take("dW1", "(3, 3)") == "dW1"
    assert planner.arrays["backward"] == {"dZ3": "(3, m)", "dZ2": "(2, m)", "dW1": "(3, 3)"}
    planner.release("dW1")
    planner.release("dW1")  # a second release frees nothing more
    assert planner.free["(3, 3)"] == ["dW1"]


def test_a_temporary_is_numbered_where_its_name_has_another_shape() -> None:
    planner = WorkspacePlanner()
    planner.begin("backward")
    assert planner.borrow("slope", "(3, m)") == "slope"
    assert planner.borrow("slope", "(3, m)") == "slope"  # freed at once: the same array
    assert planner.borrow("slope", "(2, m)") == "slope2"
    assert planner.arrays["backward"] == {"slope": "(3, m)", "slope2": "(2, m)"}
    assert planner.arrays["forward"] == {}


def test_the_column_of_ones_is_fetched_once_and_kept_where_named() -> None:
    planner = WorkspacePlanner()
    planner.begin("backward")
    assert planner.first_ones("ones_m") and not planner.first_ones("ones_m")
    assert planner.arrays["backward"] == {"ones_m": "(m, 1)"}
    assert WorkspacePlanner().first_ones() and not WorkspacePlanner().arrays["backward"]


def test_the_shapes_table_has_a_branch_per_part() -> None:
    planner = WorkspacePlanner()
    planner.take("Z1", "(3, m)")
    planner.begin("backward")
    planner.take("dW1", "(3, 4)")
    assert planner.shapes() == [
        '        if part == "forward":',
        "            shapes = {",
        '                "Z1": (3, m),',
        "            }",
        "        else:",
        "            shapes = {",
        '                "dW1": (3, 4),',
        "            }",
    ]
