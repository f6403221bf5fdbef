"""Fiscal years that start in another month than January (profile ``fiscal_year_start``, 1-12).

Convention (as in the United Kingdom, India and Japan): a fiscal year is labelled by the calendar
year in which it *starts*. With ``fiscal_year_start: 4``, FY2023 runs from April 2023 to March 2024;
with 7, FY2023 is July 2023 to June 2024. The budget's ``year`` is that label. The ``year`` and
``month`` of actuals, monthly budget phasing and workload are the *calendar* year and month of the
posting (as a ledger date gives them); casekit maps them once on load to the fiscal year and the
fiscal month (1 = the first month of the fiscal year, 12 = the last), so that every indicator and
rule (time progress t/12, quarter ends at fiscal months 3, 6, 9 and 12, the year-end surge in the
last fiscal month, complete years, the monitor's year to date and projection) works in fiscal
months. Adjustment dates stay calendar dates and are placed in fiscal years with :func:`of_dates`.
With the default start 1 nothing changes.

Examples
--------
>>> fiscal_of(2024, 2, 7), fiscal_of(2023, 7, 7), fiscal_of(2023, 12, 1)
((2023, 8), (2023, 1), (2023, 12))
>>> calendar_of(2023, 8, 7), calendar_of(2023, 12, 4)
((2024, 2), (2024, 3))
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from casekit.labels import label

DEFAULT_START = 1
MONTHLY_TABLES = ("actuals", "budget_monthly", "workload")
"""Tables whose (year, month) are calendar months mapped to fiscal months on load."""



def start_of(h: Any) -> int:
    """The first calendar month of the fiscal year of a Hospital (or its profile); 1 when not given."""
    profile = getattr(h, "profile", h)
    value = profile.get("fiscal_year_start") if profile is not None else None
    return int(value) if value else DEFAULT_START


def fiscal_of(year: int, month: int, start: int = DEFAULT_START) -> tuple[int, int]:
    """(fiscal year, fiscal month) of a calendar month."""
    return (year if month >= start else year - 1), (month - start) % 12 + 1


def calendar_of(fiscal_year: int, fiscal_month: int, start: int = DEFAULT_START) -> tuple[int, int]:
    """(calendar year, calendar month) of a fiscal month."""
    month = (fiscal_month - 1 + start - 1) % 12 + 1
    return (fiscal_year if month >= start else fiscal_year + 1), month


def to_fiscal(df: pd.DataFrame, start: int) -> pd.DataFrame:
    """A copy of a table with calendar ``year``/``month`` as fiscal year and fiscal month.

    Rows without a month (annual figures) keep their ``year``: it is already the fiscal year's label.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [2023, 2024, 2024], "month": pd.array([7, 6, pd.NA], dtype="Int64")})
    >>> to_fiscal(df, 7).values.tolist()
    [[2023, 1], [2023, 12], [2024, <NA>]]
    """
    if start == DEFAULT_START or "month" not in df.columns or df["month"].isna().all():
        return df
    out = df.copy()
    has = out["month"].notna().to_numpy()
    month = out["month"].astype("float64").to_numpy()
    year = out["year"].astype("float64").to_numpy()
    fy = np.where(has & (month < start), year - 1, year)
    fm = np.where(has, (month - start) % 12 + 1, np.nan)
    out["year"] = pd.Series(fy, index=out.index).astype(df["year"].dtype)
    out["month"] = pd.array(np.where(has, fm, np.nan), dtype="Float64").astype("Int64")
    return out


def of_dates(dates: pd.Series, start: int) -> tuple[pd.Series, pd.Series]:
    """Fiscal year (int64) and fiscal month (int64) of calendar dates."""
    year, month = dates.dt.year.astype("int64"), dates.dt.month.astype("int64")
    fy = year.where(month >= start, year - 1)
    return fy.astype("int64"), ((month - start) % 12 + 1).astype("int64")


def month_name(fiscal_month: int, start: int, lang: str = "en") -> str:
    """The calendar month of a fiscal month: ``"July"`` / ``"7月"``."""
    month = calendar_of(2000, fiscal_month, start)[1]
    return label(f"month.{month}", lang)


def year_label(fiscal_year: int, start: int, lang: str = "en") -> str:
    """``"2023"`` for calendar years; ``"FY2023 (July 2023-June 2024)"`` / ``"2023财年（2023年7月-2024年6月）"``.

    Examples
    --------
    >>> year_label(2023, 1), year_label(2023, 4), year_label(2023, 7, "zh")
    ('2023', 'FY2023 (April 2023-March 2024)', '2023财年（2023年7月-2024年6月）')
    """
    if start == DEFAULT_START:
        return str(fiscal_year)
    end_year, end_month = calendar_of(fiscal_year, 12, start)
    return label("word.fiscal_year", lang, year=fiscal_year, first=month_name(1, start, lang), end=end_year,
                 last=month_name(12, start, lang))


def month_axis(start: int, lang: str = "en") -> str:
    """The label of a month axis: ``Month`` for calendar years, ``Month of the fiscal year (1 = July)`` otherwise.

    Examples
    --------
    >>> month_axis(1), month_axis(7), month_axis(4, "zh")
    ('Month', 'Month of the fiscal year (1 = July)', '财年月份（1 = 4月）')
    """
    if start == DEFAULT_START:
        return label("axis.month", lang)
    return label("axis.fiscal_month", lang, month=month_name(1, start, lang))
