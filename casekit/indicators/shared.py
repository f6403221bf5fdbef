"""Tables that several indicators derive from the same hospital, computed once per diagnosis.

Many indicators start from the same intermediate tables (the budget-against-actual line
table, last year's actuals, the scored survey answers ...). Inside :func:`shared_tables`
(which :func:`casekit.diagnosis.diagnose` enters) a function decorated with :func:`shared`
computes its result once per distinct arguments for *that* hospital and hands out copies
(shallow copies: under pandas copy-on-write a caller changing its copy never changes the
stored table). Outside the block, or for another hospital object (a perturbed copy built
inside the diagnosis), every call computes afresh, so indicator functions stay pure.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])
_STORE: ContextVar[tuple[Any, dict] | None] = ContextVar("casekit_shared_tables", default=None)


@contextmanager
def shared_tables(hospital: Any) -> Iterator[None]:
    """Share the tables of :func:`shared` functions for ``hospital`` within the block.

    Parameters
    ----------
    hospital : casekit.data.hospital.Hospital
        The hospital whose tables are shared; it must not be changed inside the block.

    A block entered inside a block for the same hospital object shares the outer block's
    tables (``casekit run`` computes the report's figure tables after the diagnosis from the
    same line tables, :func:`casekit.pipeline.analysis.analyse`).
    """
    store = _STORE.get()
    if store is not None and store[0] is hospital:
        yield
        return
    token = _STORE.set((hospital, {}))
    try:
        yield
    finally:
        _STORE.reset(token)


def _copy(value: Any) -> Any:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, list):
        return list(value)
    return value


def shared(fn: F) -> F:
    """Decorator: inside :func:`shared_tables`, compute ``fn(hospital, ...)`` once per arguments.

    Parameters
    ----------
    fn : callable
        A pure function whose first argument is the hospital and whose other arguments are
        hashable.

    Returns
    -------
    callable
        The same function, sharing its results within :func:`shared_tables`.
    """

    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(hospital: Any, *args: Any, **kwargs: Any) -> Any:
        store = _STORE.get()
        if store is None or store[0] is not hospital:
            return fn(hospital, *args, **kwargs)
        # the arguments as bound, defaults filled in: line_table(h, "adjusted") and
        # line_table(h, basis="adjusted") share one table
        bound = signature.bind(hospital, *args, **kwargs)
        bound.apply_defaults()
        key = (fn.__qualname__, tuple(bound.arguments.items())[1:])
        tables = store[1]
        try:
            if key not in tables:
                tables[key] = fn(hospital, *args, **kwargs)
        except TypeError:  # unhashable arguments: not shared
            return fn(hospital, *args, **kwargs)
        return _copy(tables[key])

    return wrapper  # type: ignore[return-value]
