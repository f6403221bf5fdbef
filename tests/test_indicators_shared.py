"""Shared indicator tables: computed once per diagnosis, never leaking changes or across hospitals."""
from __future__ import annotations

import dataclasses

import pandas as pd

from casekit.indicators import execution
from casekit.indicators.shared import shared_tables
from casekit.sample import generate


def test_shared_line_table_copies_are_independent_and_per_hospital():
    h = generate("j", departments=4, years=2)
    fresh = execution.line_table(h)
    with shared_tables(h):
        first = execution.line_table(h)
        first["budget"] = -1.0  # a caller changing its copy
        first.loc[0, "actual"] = -2.0
        second = execution.line_table(h)
        other = dataclasses.replace(h, actuals=h.actuals.assign(amount=h.actuals["amount"] * 2))
        doubled = execution.line_table(other)  # another hospital object: computed for it
    pd.testing.assert_frame_equal(second, fresh)
    assert doubled["actual"].sum() == 2 * fresh["actual"].sum()


def _counted_prior_actuals():
    """``prior_actuals`` made shared again, with a count of how often it really computes."""
    count = {"n": 0}
    inner = execution.prior_actuals.__wrapped__

    def counting(hh):
        count["n"] += 1
        return inner(hh)

    return execution.shared(counting), count


def test_shared_function_runs_once_inside_the_block():
    h = generate("j", departments=4, years=2)
    wrapped, count = _counted_prior_actuals()
    with shared_tables(h):
        wrapped(h), wrapped(h), wrapped(h)
    wrapped(h)
    assert count["n"] == 2  # once inside the block, once outside


def test_a_nested_block_for_the_same_hospital_shares_the_outer_tables():
    h = generate("j", departments=4, years=2)
    other = dataclasses.replace(h, actuals=h.actuals.copy())
    wrapped, count = _counted_prior_actuals()
    with shared_tables(h):
        wrapped(h)
        with shared_tables(h):  # what diagnose() enters inside analyse()'s block
            wrapped(h)
        wrapped(h)
        with shared_tables(other):  # another hospital: its own tables, the outer ones kept
            wrapped(other), wrapped(other)
        wrapped(h)
    assert count["n"] == 2  # once for h, once for other
