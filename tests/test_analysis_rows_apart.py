"""The runner's analysis file leaves the monthly rows to a file of their own; nothing the report
shows changes, and a table the diagnosis did not compute is still computed from every row."""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.data.loader import validate
from casekit.errors import ConfigError
from casekit.indicators.progress import time_progress
from casekit.paths import SAMPLE_DIR
from casekit.pipeline.analysis import ANALYSIS_FILE, analyse, discard, full_hospital, load, rows_path, save
from casekit.report.blocks import inventory_frame
from casekit.report.session import Session

J = SAMPLE_DIR / "j_hospital"


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    analysis = analyse(validate(J), J)
    path = save(analysis, tmp_path_factory.mktemp("staging") / ANALYSIS_FILE)
    return analysis, path


def test_the_loaded_analysis_lacks_the_monthly_rows_and_reads_them_back(saved):
    analysis, path = saved
    loaded = load(path)
    assert len(analysis.hospital.actuals) > 20_000 and analysis.hospital.has("budget_monthly")
    assert len(loaded.hospital.actuals) == 0 and loaded.hospital.budget_monthly is None
    assert loaded.rows_file == rows_path(path) and rows_path(path).is_file()
    assert loaded.summary == analysis.hospital.summary()
    whole = full_hospital(loaded)
    for name in ("actuals", "budget_monthly", "budget", "workload"):
        pd.testing.assert_frame_equal(getattr(whole, name), getattr(analysis.hospital, name))


def test_the_report_shows_the_whole_hospital_from_the_summary(saved):
    analysis, path = saved
    s = Session.of(load(path))
    assert s.summary.is_monthly and list(s.summary.years) == analysis.hospital.years
    assert s.summary.rows["actuals"] == len(analysis.hospital.actuals)
    pd.testing.assert_frame_equal(inventory_frame(s.summary, "en"), inventory_frame(analysis.hospital.summary(), "en"))


def test_a_table_not_computed_by_the_diagnosis_uses_every_row(saved):
    analysis, path = saved
    s = Session.of(load(path))
    assert not any(k[1] == "time_progress" and k[3] == (("basis", "original"),) for k in s.memo)
    pd.testing.assert_frame_equal(s.get(time_progress, basis="original"),
                                  time_progress(analysis.hospital, basis="original"))


def test_a_missing_rows_file_is_named(saved, tmp_path):
    analysis, _ = saved
    path = save(analysis, tmp_path / ANALYSIS_FILE)
    rows_path(path).unlink()
    with pytest.raises(ConfigError, match="rows file .* does not exist"):
        full_hospital(load(path))
    discard(path)
    assert not path.exists() and not rows_path(path).exists()
