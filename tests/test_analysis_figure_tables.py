"""The saved analysis carries every table the report's figures draw, equal to a fresh computation."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from casekit.data.loader import validate
from casekit.paths import SAMPLE_DIR
from casekit.pipeline.analysis import analyse, figure_inputs
from casekit.report.plots.from_session import DRAWERS
from casekit.report.session import Session


@pytest.mark.parametrize("name", ["j_hospital", "mixed_hospital", "well_run_hospital"])
def test_figures_draw_from_the_analysis_without_computing(name):
    path = SAMPLE_DIR / name
    analysis = analyse(validate(path), path)
    s = Session.of(analysis)
    before = set(s.memo)
    for draw in DRAWERS.values():
        fig, _ = draw(s)
        if fig is not None:
            plt.close(fig)
    assert set(s.memo) == before  # nothing was left for the kernel to compute from the rows
    for fn, kwargs in figure_inputs(analysis.thresholds):
        key = (fn.__module__, fn.__qualname__, (), tuple(sorted(kwargs.items())))
        if key in s.memo:  # computed outside any shared block, from the hospital alone
            pd.testing.assert_frame_equal(s.memo[key], fn(analysis.hospital, **kwargs))
