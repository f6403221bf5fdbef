"""Account trees, totals, negative bases and plausibility limits (casekit.data.accounts, casekit.data.amounts)."""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.data.amounts import plausibility_limits
from casekit.errors import ConfigError
from casekit.indicators.execution import add_rates


def test_no_rate_on_zero_or_negative_base():
    """A deficit plan of -790 against -2,397 is a deviation of -1,607, not '303% executed'."""
    out = add_rates(pd.DataFrame({"budget": [-790.0, 0.0, 100.0], "actual": [-2397.0, 5.0, 104.0]}))
    assert out["execution_rate"].isna().tolist() == [True, True, False]
    assert out["deviation"].tolist() == [-1607.0, 5.0, 4.0]
    assert out["band"].tolist() == ["undefined", "undefined", "good"]
    assert out["deviation_rate"].iloc[2] == pytest.approx(0.04)


def test_plausibility_limits_default_and_override(tmp_path):
    assert plausibility_limits() == {"line_rate_max": 40.0, "total_rate_max": 10.0}
    cfg = tmp_path / "t.yaml"
    cfg.write_text("data:\n  line_rate_max: 120\n", encoding="utf-8")
    assert plausibility_limits(cfg)["line_rate_max"] == 120.0
    assert plausibility_limits({"data.total_rate_max": 20})["total_rate_max"] == 20.0
    with pytest.raises(ConfigError, match="positive number"):
        plausibility_limits({"data": {"line_rate_max": "many"}})
