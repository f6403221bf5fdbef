"""How much a decision hangs on its default thresholds: margins and threshold sensitivity.

For every decided finding casekit reports

- the **margin** of each criterion: how far its value sits from its threshold, as a share of
  ``|threshold|``, positive on the side that trips the criterion (``distance`` = value -
  threshold in the value's units, also when the threshold is 0);
- its **sensitivity**: the status re-decided with thresholds moved by -20%, -10%, +10% and
  +20% of their value, one configured threshold at a time (every criterion reading that key
  moves with it), and with all thresholds moved together by 10% and 20%, each in the direction
  that works *against* the current status (harder to trip for a present finding, easier for an
  absent one: the worst case of moving them all at once);
- a label: **fragile** when any of these moves changes the status, **robust** otherwise, and
  ``flips_at``, the smallest move (0.1 or 0.2) that changes it.

The re-decision uses the same rule as :func:`casekit.diagnosis.criteria.decide` on the values
already computed. Thresholds used *inside* an indicator (the ±10% band that decides which lines
count as "beyond", the tolerance of "identical" growth rates) are held fixed, and so are
thresholds of 0 (10% of 0 is 0) and non-numeric requirements (e.g. "a workload budget
exists"). Aspects are re-rated with ``aspects.met_good`` and ``aspects.met_weak`` moved the same
way (:func:`rating_sensitivity`); their data checks are held fixed.

Examples
--------
>>> from casekit.diagnosis.finding import Criterion
>>> c = Criterion("share", 0.27, 0.25, ">=", True, "p3.line_share_beyond")
>>> round(margin(c.value, c.threshold, c.op)[0], 3)
0.08
>>> rows = sensitivity([c], 1, "present")
>>> [(r["scope"], r["change"], r["status"]) for r in rows if r["flips"]]
[('p3.line_share_beyond', 0.1, 'absent'), ('p3.line_share_beyond', 0.2, 'absent'), ('all', 0.1, 'absent'), ('all', 0.2, 'absent')]
>>> label(rows)
('fragile', 0.1)
"""
from __future__ import annotations

import numbers
import operator
from typing import Any, Callable, Sequence

from casekit.diagnosis.finding import Criterion

MOVES = (0.10, 0.20)
CHANGES = (-0.20, -0.10, 0.10, 0.20)
ALL = "all"
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
}


def _number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def margin(value: Any, threshold: Any, op: str) -> tuple[float | None, float | None]:
    """Relative margin and absolute distance of a value from its threshold.

    Parameters
    ----------
    value, threshold : Any
        The criterion's computed value and threshold.
    op : str
        ``"<"``, ``"<="``, ``">"``, ``">="`` (``"=="`` has no margin).

    Returns
    -------
    (float or None, float or None)
        ``margin`` = (value - threshold) / |threshold| for ``>``/``>=`` and (threshold - value) /
        |threshold| for ``<``/``<=`` (positive: the criterion trips), ``None`` for a zero
        threshold; ``distance`` = value - threshold. Both ``None`` for non-numeric values.

    Examples
    --------
    >>> margin(0.05, 0.068, ">")
    (-0.2647058823529412, -0.018000000000000002)
    >>> margin(-0.01, 0.0, "<")
    (None, -0.01)
    """
    if not (_number(value) and _number(threshold)) or op == "==":
        return None, None
    distance = float(value) - float(threshold)
    if threshold == 0:
        return None, distance
    rel = distance / abs(float(threshold))
    return (rel if op in (">", ">=") else -rel), distance


def _movable(c: Criterion) -> bool:
    return c.triggered is not None and bool(c.config_key) and _number(c.value) and _number(c.threshold) \
        and c.threshold != 0 and c.op != "=="


def redecide(criteria: Sequence[Criterion], n_required: int, thresholds: Sequence[Any],
             movable: Sequence[bool] | None = None) -> str:
    """Status of a rule with its criteria held against ``thresholds`` (same order as ``criteria``).

    Uses the rule of :func:`casekit.diagnosis.criteria.decide`: present when at least
    ``n_required`` computable criteria trip (all computable ones when fewer can be computed).
    ``movable`` (whether each criterion's threshold can move) is worked out when not given.
    """
    movable = [_movable(c) for c in criteria] if movable is None else movable
    comp = [(c, t, m) for c, t, m in zip(criteria, thresholds, movable) if c.triggered is not None]
    if not comp:
        return "not_assessed"
    need = max(1, min(int(n_required), len(comp)))
    n_trig = sum(bool(_OPS[c.op](c.value, t)) if m else bool(c.triggered) for c, t, m in comp)
    return "present" if n_trig >= need else "absent"


def _against(c: Criterion, status: str, move: float) -> float:
    """The threshold of ``c`` moved by ``move`` x |threshold| so that ``status`` is harder to keep."""
    harder = status == "present"  # make a tripped criterion harder to trip; else easier
    up = (c.op in (">", ">=")) == harder
    step = move * abs(float(c.threshold))
    return float(c.threshold) + (step if up else -step)


def sensitivity(criteria: Sequence[Criterion], n_required: int, status: str) -> list[dict[str, Any]]:
    """Re-decide a finding with its thresholds moved (see the module docstring).

    Parameters
    ----------
    criteria : sequence of Criterion
    n_required : int
        The rule's ``min_triggered``.
    status : {"present", "absent"}
        The decision with the configured thresholds.

    Returns
    -------
    list of dict
        One row per move: ``scope`` (the config key moved, or ``"all"``), ``change`` (relative
        move of the threshold, e.g. -0.1; for ``"all"`` the size of the move against the
        status), ``status`` after the move, ``flips`` (bool). Empty when no threshold can move.
    """
    base = [c.threshold for c in criteria]
    movable = [_movable(c) for c in criteria]
    keys = list(dict.fromkeys(c.config_key for c, m in zip(criteria, movable) if m))
    rows = []
    for key in keys:
        for change in CHANGES:
            moved = [float(c.threshold) * (1 + change) if m and c.config_key == key else t
                     for c, t, m in zip(criteria, base, movable)]
            new = redecide(criteria, n_required, moved, movable)
            rows.append({"scope": key, "change": change, "status": new, "flips": new != status})
    if keys:
        for move in MOVES:
            moved = [_against(c, status, move) if m else t for c, t, m in zip(criteria, base, movable)]
            new = redecide(criteria, n_required, moved, movable)
            rows.append({"scope": ALL, "change": move, "status": new, "flips": new != status})
    return rows


def rating_sensitivity(share: float, good: float, weak: float, rating: str,
                       rate: Callable[[float, float, float], str]) -> list[dict[str, Any]]:
    """Re-rate an aspect with ``aspects.met_good`` / ``aspects.met_weak`` moved by ±10% and ±20%.

    Parameters
    ----------
    share : float
        The aspect's share of requirements met.
    good, weak : float
        The configured rating limits.
    rating : str
        The rating with the configured limits.
    rate : callable
        ``rate(share, good, weak) -> rating``.

    Returns
    -------
    list of dict
        Rows as in :func:`sensitivity`; ``status`` holds the rating after the move. For
        ``"all"`` both limits move together by the same change (up makes "good" harder and
        "weak" easier, down the reverse, so both directions are the worst cases of some rating).
    """
    rows = []
    for key, which in (("aspects.met_good", 0), ("aspects.met_weak", 1)):
        for change in CHANGES:
            lim = [good, weak]
            lim[which] *= 1 + change
            new = rate(share, *lim)
            rows.append({"scope": key, "change": change, "status": new, "flips": new != rating})
    for change in CHANGES:
        new = rate(share, good * (1 + change), weak * (1 + change))
        rows.append({"scope": ALL, "change": change, "status": new, "flips": new != rating})
    return rows


def label(rows: Sequence[dict[str, Any]]) -> tuple[str, float | None]:
    """``("fragile", smallest flipping move)`` or ``("robust", None)`` from :func:`sensitivity` rows."""
    flips = [abs(r["change"]) for r in rows if r["flips"]]
    if not flips:
        return "robust", None
    return "fragile", round(min(flips), 2)
