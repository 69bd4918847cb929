"""The draw is a pure function: same seed and pools, same result; conflicts never drawn."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillcert.rules.draws import derived_seed, digest, draw
from skillcert.rules.errors import InvalidInput

TARGETS = [f"org-{i}" for i in range(20)]
INSPECTORS = [f"ins-{i}" for i in range(8)]


def test_same_seed_same_result_whatever_the_order():
    first = draw("abc", TARGETS, INSPECTORS, count=5, per_target=2)
    second = draw("abc", list(reversed(TARGETS)), INSPECTORS[::-1], count=5, per_target=2)
    assert first == second
    assert len(first.targets) == 5 and all(len(a.inspectors) == 2 for a in first.assignments)


def test_a_different_seed_draws_differently():
    assert draw("abc", TARGETS, INSPECTORS, count=5, per_target=2) != draw(
        "abd", TARGETS, INSPECTORS, count=5, per_target=2
    )


def test_known_answer_is_stable():
    """Pins the algorithm: a change to it must update this on purpose (public records)."""
    result = draw("2026-11-26", ["a", "b", "c", "d"], ["x", "y", "z"], count=2, per_target=1)
    assert result.targets == ("c", "b")  # in rank order
    assert [a.inspectors for a in result.assignments] == [("x",), ("x",)]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.text(min_size=1, max_size=12),
    count=st.integers(1, 20),
    per_target=st.integers(1, 6),
    blocked=st.sets(
        st.tuples(st.sampled_from(INSPECTORS[:6]), st.sampled_from(TARGETS)), max_size=10
    ),
)
def test_conflicts_are_never_drawn(seed, count, per_target, blocked):
    try:
        result = draw(
            seed, TARGETS, INSPECTORS, count=count, per_target=per_target, conflicts=blocked
        )
    except InvalidInput:
        return
    for assignment in result.assignments:
        assert not {(i, assignment.target) for i in assignment.inspectors} & blocked
        assert len(set(assignment.inspectors)) == per_target


@pytest.mark.parametrize(
    ("count", "per_target", "field"),
    [(21, 1, "count"), (0, 1, "count"), (3, 9, "inspectors"), (3, 0, "inspectors")],
)
def test_draws_larger_than_the_pool_are_refused(count, per_target, field):
    with pytest.raises(InvalidInput) as info:
        draw("s", TARGETS, INSPECTORS, count=count, per_target=per_target)
    assert field in info.value.fields


def test_conflicts_can_leave_too_few_inspectors():
    conflicts = {(i, t) for i in INSPECTORS[:7] for t in TARGETS}
    with pytest.raises(InvalidInput, match="利益冲突"):
        draw("s", TARGETS, INSPECTORS, count=1, per_target=2, conflicts=conflicts)


def test_a_refusal_names_the_target_by_its_label_not_its_id():
    conflicts = {(i, "batch:7") for i in INSPECTORS[:7]}
    labels = {"batch:7": "合肥市明德职业技能培训学校：2026年第12期焊工认定"}
    with pytest.raises(InvalidInput) as info:
        draw(
            "s", ["batch:7"], INSPECTORS, count=1, per_target=2, conflicts=conflicts, labels=labels
        )
    message = info.value.fields["inspectors"][0]
    assert "2026年第12期焊工认定" in message and "batch:7" not in message


def test_derived_seed_depends_on_every_public_fact():
    base = derived_seed("2026-11-26", "01", digest(TARGETS), digest(INSPECTORS))
    assert base != derived_seed("2026-11-27", "01", digest(TARGETS), digest(INSPECTORS))
    assert base != derived_seed("2026-11-26", "02", digest(TARGETS), digest(INSPECTORS))
    assert base != derived_seed("2026-11-26", "01", digest(TARGETS[1:]), digest(INSPECTORS))
