"""Staff survey: construct scores, reliability, role differences, link with deviation.

The survey measures five constructs, one per cause: participation (C1), staff (C2),
supervision (C3), assessment (C4) and integration (C5), on a 1-5 Likert scale. See docs/methodology.md
section 3, "Survey".
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from casekit.data.hospital import Hospital
from casekit.data.lines import group_keys, group_means
from casekit.indicators.shared import shared
from casekit.indicators.performance import one_sided_negative_p, require_table, spearman
from casekit.data.schema.tables import SURVEY_CONSTRUCTS

CONSTRUCT_CAUSE = dict(zip(SURVEY_CONSTRUCTS, ("C1", "C2", "C3", "C4", "C5")))
AGREE_MIN = 4


def cronbach_alpha(wide_items: pd.DataFrame) -> float:
    """Cronbach's alpha of a set of items.

    alpha = k / (k - 1) x (1 - sum of item variances / variance of the total score), with
    sample variances (ddof = 1). Respondents with a missing item are dropped (listwise).

    Parameters
    ----------
    wide_items : pandas.DataFrame
        One row per respondent, one column per item (already reverse-coded).

    Returns
    -------
    float
        NaN with fewer than 2 items, fewer than 2 complete respondents, or a constant total.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16(3), 297-334. 0.7 is acceptable, 0.8 good (docs/methodology.md).

    Examples
    --------
    >>> import pandas as pd
    >>> round(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4]})), 4)
    0.9412
    """
    numeric = all(pd.api.types.is_numeric_dtype(t) for t in wide_items.dtypes)
    df = (wide_items if numeric else wide_items.apply(pd.to_numeric, errors="coerce")).dropna()
    k = df.shape[1]
    if k < 2 or len(df) < 2:
        return float("nan")
    total_var = df.sum(axis=1).var(ddof=1)
    if not total_var > 0:
        return float("nan")
    return float(k / (k - 1) * (1 - df.var(ddof=1).sum() / total_var))


@shared
def scored_responses(h: Hospital) -> pd.DataFrame:
    """Long survey answers joined to their items, reverse-scored items recoded as 6 - x.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id``, ``role``, ``dept_id``, ``item_id``, ``construct``, ``answer``
        (as given), ``score`` (recoded).
    """
    items = require_table(h, "survey_items")
    resp = require_table(h, "survey_responses")
    it = items[["item_id", "construct"]].copy()
    it["reverse"] = items["reverse"].fillna(False).astype(bool) if "reverse" in items.columns else False
    df = resp[["respondent_id", "role", "dept_id", "item_id", "answer"]].merge(it, on="item_id", how="inner")
    ans = pd.to_numeric(df["answer"], errors="coerce").astype("float64")
    df["score"] = np.where(df["reverse"], 6 - ans, ans)
    return df.drop(columns="reverse")


@shared
def respondent_scores(h: Hospital) -> pd.DataFrame:
    """Each respondent's construct score: the mean of their (recoded) items of that construct.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id``, ``role``, ``dept_id``, ``construct``, ``score``, ``n_items``.
    """
    df = scored_responses(h)
    group, keys = group_keys([(k, *pd.factorize(df[k], sort=True)) for k in ("respondent_id", "role", "dept_id",
                                                                              "construct")])
    n, score = len(keys["construct"]), df["score"].to_numpy(dtype="float64")
    answered = np.bincount(group[(group >= 0) & ~np.isnan(score)], minlength=n)
    return pd.DataFrame(keys | {"score": group_means(group, n, score), "n_items": answered})


def construct_scores(h: Hospital) -> pd.DataFrame:
    """Mean, agreement and reliability of each survey construct.

    Parameters
    ----------
    h : Hospital
        Needs ``survey_items`` and ``survey_responses``.

    Returns
    -------
    pandas.DataFrame
        One row per construct present: ``construct``; ``cause`` (C1-C5); ``mean`` (mean of
        respondents' construct scores, 1-5); ``share_agree`` (share of recoded answers of 4 or
        5); ``n_items``; ``n_respondents``; ``alpha`` (Cronbach's alpha over respondents who
        answered every item of the construct; NaN for a single item).

    Examples
    --------
    See ``tests/test_indicators_survey.py`` for a hand-worked example.
    """
    long = scored_responses(h)
    resp = respondent_scores(h)
    # each respondent's mean answer to each item (one cell per construct, respondent and item)
    parts = [(k, *pd.factorize(long[k], sort=True)) for k in ("construct", "respondent_id", "item_id")]
    cell, cells = group_keys(parts)
    item_means = group_means(cell, len(cells["construct"]), long["score"].to_numpy(dtype="float64"))
    answered = ~np.isnan(item_means)
    cell_construct = np.asarray(cells["construct"], dtype=object)
    person = parts[1][2].get_indexer(cells["respondent_id"])  # each cell's respondent and item as sorted codes
    item = parts[2][2].get_indexer(cells["item_id"])
    agree = (long["score"] >= AGREE_MIN).groupby(long["construct"]).mean()  # shares of 0/1: exact
    n_items = long.groupby("construct")["item_id"].nunique()
    n_respondents = resp.groupby("construct")["respondent_id"].nunique()
    resp_construct = resp["construct"].to_numpy()
    rows = []
    for construct in [c for c in SURVEY_CONSTRUCTS if c in agree.index]:
        mine = answered & (cell_construct == construct)
        wide = _pivot(person[mine], item[mine], item_means[mine])
        rows.append({
            "construct": construct,
            "cause": CONSTRUCT_CAUSE[construct],
            "mean": float(resp["score"][resp_construct == construct].mean()),
            "share_agree": float(agree[construct]),
            "n_items": int(n_items[construct]),
            "n_respondents": int(n_respondents.get(construct, 0)),
            "alpha": cronbach_alpha(wide),
        })
    return pd.DataFrame(rows, columns=["construct", "cause", "mean", "share_agree", "n_items", "n_respondents",
                                       "alpha"])


def _pivot(rows: np.ndarray, columns: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """``values`` laid out by sorted row and column codes (missing where a pair has no value), as
    ``unstack`` lays out a series indexed by the two codes."""
    (row_codes, row), (column_codes, column) = (np.unique(c, return_inverse=True) for c in (rows, columns))
    wide = np.full((len(row_codes), len(column_codes)), np.nan)
    wide[row, column] = values
    return pd.DataFrame(wide, copy=False)  # laid out in memory as unstack lays it out (sums to the same bits)


def role_differences(h: Hospital) -> pd.DataFrame:
    """Kruskal-Wallis test of construct scores across respondent roles.

    Returns
    -------
    pandas.DataFrame
        ``construct``, ``H`` (Kruskal-Wallis statistic), ``p_value``, ``n_groups`` (roles with
        at least one respondent), ``n`` (respondents). H and p are NaN with fewer than two roles
        or when every score is identical.

    References
    ----------
    scipy.stats.kruskal.
    """
    resp = respondent_scores(h)
    rows = []
    for construct, g in resp.groupby("construct", sort=True):
        groups = [s["score"].to_numpy() for _, s in g.groupby("role", sort=True)]
        H = p = float("nan")
        if len(groups) >= 2 and g["score"].nunique() > 1:
            res = stats.kruskal(*groups)
            H, p = float(res.statistic), float(res.pvalue)
        rows.append({"construct": construct, "H": H, "p_value": p, "n_groups": len(groups), "n": int(len(g))})
    return pd.DataFrame(rows, columns=["construct", "H", "p_value", "n_groups", "n"])


@shared
def _department_construct_means(h: Hospital) -> pd.DataFrame:
    """``dept_id`` (text), ``construct``, ``construct_mean``, ``n_respondents`` of the survey (both bases
    of :func:`department_construct_deviation` share it)."""
    resp = respondent_scores(h)
    group, keys = group_keys([(k, *pd.factorize(resp[k], sort=True)) for k in ("dept_id", "construct")])
    n = len(keys["dept_id"])
    who, people = pd.factorize(resp["respondent_id"])
    pairs = np.unique(group[(group >= 0) & (who >= 0)] * len(people) + who[(group >= 0) & (who >= 0)])
    dm = pd.DataFrame(keys | {"construct_mean": group_means(group, n, resp["score"].to_numpy(dtype="float64")),
                              "n_respondents": np.bincount(pairs // len(people), minlength=n)})  # distinct
    return dm.assign(dept_id=dm["dept_id"].astype("str"))


@shared
def department_construct_deviation(h: Hospital, basis: str = "adjusted") -> pd.DataFrame:
    """Department construct means beside the department's mean expense |deviation rate|.

    The survey is cross-sectional, so each department's |deviation rate| is averaged over
    all years.

    Returns
    -------
    pandas.DataFrame
        ``dept_id``, ``construct``, ``construct_mean``, ``n_respondents``,
        ``abs_deviation_rate``, ``basis``.
    """
    from casekit.indicators.execution import execution_table

    ex = execution_table(h, level=("year", "dept_id"), basis=basis)
    ex = ex[ex["direction"] == "expense"]
    dept, depts = group_keys([("dept_id", *pd.factorize(ex["dept_id"], sort=True))])
    dev = group_means(dept, len(depts["dept_id"]), ex["abs_deviation_rate"].to_numpy(dtype="float64"))
    dm = _department_construct_means(h)
    at = depts["dept_id"].astype("str").get_indexer(dm["dept_id"])  # an inner join on dept_id
    out = dm[at >= 0].assign(abs_deviation_rate=dev[at[at >= 0]])
    out["basis"] = basis
    return out.sort_values(["construct", "dept_id"]).reset_index(drop=True)


def construct_vs_deviation(h: Hospital, basis: str = "adjusted") -> pd.DataFrame:
    """Spearman correlation of department construct means with department |deviation rate|.

    A negative rho for participation means departments that take less part in preparing the
    budget deviate more from it (cause C1 feeding P2/P3).

    Returns
    -------
    pandas.DataFrame
        ``construct``, ``rho``, ``p_value`` (two-sided), ``p_negative`` (one-sided, rho < 0),
        ``n_departments``, ``basis``.
    """
    tab = department_construct_deviation(h, basis=basis)
    rows = []
    for construct, g in tab.groupby("construct", sort=True):
        rho, p, n = spearman(g["construct_mean"], g["abs_deviation_rate"])
        rows.append({"construct": construct, "rho": rho, "p_value": p,
                     "p_negative": one_sided_negative_p(rho, p), "n_departments": n, "basis": basis})
    return pd.DataFrame(rows, columns=["construct", "rho", "p_value", "p_negative", "n_departments", "basis"])


def response_rate(h: Hospital) -> pd.DataFrame:
    """Survey response rate: respondents / staff invited (profile ``survey_invited``).

    Returns
    -------
    pandas.DataFrame
        One row: ``respondents``, ``invited`` (NaN when the profile lacks ``survey_invited``),
        ``response_rate`` (NaN without ``invited``).
    """
    resp = require_table(h, "survey_responses")
    n = int(resp["respondent_id"].nunique())
    invited = h.profile.get("survey_invited")
    invited = float(invited) if invited not in (None, "") and float(invited) > 0 else float("nan")
    return pd.DataFrame([{"respondents": n, "invited": invited, "response_rate": n / invited}])
