"""Thresholds of the diagnosis rules, and the context every rule receives.

Defaults live in ``thresholds.yaml`` beside this module, each with a one-line justification.
A user file with the same (nested or dotted) keys overrides any of them::

    p3:
      line_share_beyond: 0.3      # or {value: 0.3}
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from casekit.errors import ConfigError, closest
from casekit.data.hospital import Hospital
from casekit.paths import THRESHOLDS_FILE


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, node in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(node, Mapping) and "value" in node:
            flat[dotted] = node
        elif isinstance(node, Mapping):
            flat.update(_flatten(node, dotted + "."))
        else:
            flat[dotted] = {"value": node}
    return flat


@functools.lru_cache(maxsize=1)
def _default_entries() -> dict[str, Any]:
    """The packaged thresholds file, flattened; parsed once per process (callers copy it)."""
    with open(THRESHOLDS_FILE, encoding="utf-8") as fh:
        return _flatten(yaml.safe_load(fh))


class Thresholds(Mapping[str, Any]):
    """Read-only mapping of dotted keys (``"p3.line_share_beyond"``) to threshold values.

    Parameters
    ----------
    overrides : mapping or path, optional
        User thresholds (nested or dotted keys; plain values or ``{value: ...}``).
        Unknown keys and values of the wrong type are rejected with :class:`ConfigError`.

    Examples
    --------
    >>> t = Thresholds({"p3": {"line_share_beyond": 0.3}})
    >>> t["p3.line_share_beyond"]
    0.3
    >>> t.why("bands.warning")[:20]
    '5-10% is a warning; '
    """

    def __init__(self, overrides: Mapping[str, Any] | str | Path | None = None):
        self._entries = copy.deepcopy(_default_entries())
        self.source = "defaults"
        if overrides is None:
            return
        if isinstance(overrides, (str, Path)):
            path = Path(overrides)
            try:
                with open(path, encoding="utf-8") as fh:
                    overrides = yaml.safe_load(fh) or {}
            except FileNotFoundError:
                raise ConfigError(f"thresholds file {path} does not exist", "Check the --config path.") from None
            except yaml.YAMLError as exc:
                raise ConfigError(f"thresholds file {path} is not valid YAML: {exc}",
                                  "Fix the YAML syntax (indentation, colons).") from None
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                raise ConfigError(f"thresholds file {path} cannot be read: {reason}",
                                  "Give the path of a UTF-8 YAML file.") from None
            self.source = str(path)
            if not isinstance(overrides, Mapping):
                raise ConfigError(f"thresholds file {path} must hold a mapping of keys to values",
                                  "See casekit/diagnosis/thresholds.yaml for the layout.")
        else:
            self.source = "overrides"
        problems = []
        for key, node in _flatten(overrides).items():
            problem = self._check(key, node)
            if problem is None:
                self._entries[key] = {**self._entries[key], "value": node["value"], "overridden": True}
            else:
                problems.append(problem)
        if problems:
            where = f" in {self.source}" if self.source != "overrides" else ""
            raise ConfigError("; ".join(p for p, _ in problems) + where, " ".join(f for _, f in problems))

    def _check(self, key: str, node: Mapping[str, Any]) -> tuple[str, str] | None:
        """(problem, fix) for an override of ``key`` that is unknown or of the wrong type, else None."""
        if key not in self._entries:
            near = closest(key, self._entries) or closest(key.rpartition(".")[2],
                                                         [k.rpartition(".")[2] for k in self._entries])
            if near is not None and near not in self._entries:
                near = next(k for k in self._entries if k.rpartition(".")[2] == near)
            fix = (f"Did you mean {near!r}?" if near else
                   "See casekit/diagnosis/thresholds.yaml (or docs/methodology.md) for the keys.")
            return f"unknown threshold {key!r}", fix
        default, value = self._entries[key]["value"], node["value"]
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            if isinstance(value, str):
                return (f"threshold {key!r} must be a number, got the text {value!r}",
                        f"Write {key.rpartition('.')[2]}: {value.strip()} without quotes, e.g. {default}.")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return (f"threshold {key!r} must be a number, got {value!r}", f"Write a number such as {default}.")
            if isinstance(default, int) and not float(value).is_integer():
                return (f"threshold {key!r} must be a whole number, got {value!r}",
                        f"Write a whole number such as {default}.")
        return None

    def __getitem__(self, key: str) -> Any:
        try:
            return self._entries[key]["value"]
        except KeyError:
            raise KeyError(f"no threshold {key!r}") from None

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def why(self, key: str) -> str:
        """The justification of a threshold."""
        return self._entries[key].get("why", "")

    def as_records(self) -> list[dict[str, Any]]:
        """Every threshold as ``{key, value, why, overridden}`` (for reports and JSON)."""
        return [{"key": k, "value": e["value"], "why": e.get("why", ""), "overridden": bool(e.get("overridden"))}
                for k, e in self._entries.items()]


@dataclass
class RuleContext:
    """What a rule receives: the hospital, the thresholds and a memo of computed indicators.

    Rules share indicator tables through :meth:`get`, so each is computed once per diagnosis.
    """

    hospital: Hospital
    cfg: Thresholds
    _memo: dict[tuple, Any] = field(default_factory=dict, repr=False)

    def get(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Return ``fn(hospital, *args, **kwargs)``, computed once per distinct arguments."""
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in self._memo:
            self._memo[key] = fn(self.hospital, *args, **kwargs)
        return self._memo[key]

    @property
    def computed(self) -> dict[str, Any]:
        """Indicator tables computed so far, keyed by function name and arguments (for export)."""
        out = {}
        for (module, name, args, kwargs), value in self._memo.items():
            suffix = "_".join(str(a) for a in args) + "_".join(f"{k}-{v}" for k, v in kwargs)
            out[name + (f"[{suffix}]" if suffix else "")] = value
        return out
