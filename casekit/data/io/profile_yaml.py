"""Read ``hospital.yaml`` safely: bounded size, expansion and depth; duplicate keys are errors.

PyYAML's ``safe_load`` builds no objects but plain ones, yet it still accepts a 50 MB file,
nested anchors whose expansion reaches gigabytes once anything walks the result ("billion
laughs"), documents nested deeper than Python's recursion limit, and repeated keys (the last
silently wins: ``currency_unit: yuan`` then ``currency_unit: 10k_yuan``). :func:`load_profile_yaml`
checks each of these on the composed node graph, before any value is built, and raises
:class:`~casekit.errors.InputFileError` naming the line.
"""
from __future__ import annotations

import yaml

from casekit.errors import InputFileError
from casekit.data.io.limits import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

_HINT = "write one 'key: value' per line, e.g. 'name: J Hospital'"
_NO_ALIASES = "write each value out: a profile needs no anchors (&) or aliases (*)"


class _Refused(Exception):
    def __init__(self, message: str, mark=None, hint: str = _HINT):
        self.message, self.mark, self.hint = message, mark, hint


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses documents nested deeper than :data:`MAX_YAML_DEPTH`."""

    _depth = 0

    def compose_node(self, parent, index):
        if self._depth >= MAX_YAML_DEPTH and not self.check_event(yaml.AliasEvent):
            raise _Refused(f"it is nested more than {MAX_YAML_DEPTH} levels deep", self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(root: yaml.Node, max_nodes: int) -> int:
    """Number of values ``root`` stands for once every alias is expanded (memoised, no recursion);
    every mapping met is checked for a key given twice."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > max_nodes:
                raise _Refused(f"its aliases expand to more than {max_nodes:,} values (nested anchors, a "
                               "'billion laughs' document)", node.start_mark, _NO_ALIASES)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _Refused("an alias refers to the value that contains it", node.start_mark, _NO_ALIASES)
        on_path.add(key)
        _duplicate_keys(node)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _duplicate_keys(node: yaml.Node) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    first: dict[str, yaml.Node] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode):
            if key.value in first:
                raise _Refused(f"key '{key.value}' is given twice (first at line {first[key.value].start_mark.line + 1}); "
                               "casekit does not guess which one is meant", key.start_mark, "keep one line per key")
            first[key.value] = key


def check_yaml_size(size: int, label: str) -> None:
    """Raise :class:`~casekit.errors.InputFileError` when a profile of ``size`` bytes is above :data:`MAX_YAML_BYTES`."""
    if size > MAX_YAML_BYTES:
        raise InputFileError(f"{label} is {size:,} bytes, above the {MAX_YAML_BYTES:,} bytes limit for a hospital "
                             "profile (a real one is about 1 KB)",
                             hint="keep only the profile's 'key: value' lines in it; long texts belong in the tables")


def load_profile_yaml(data: bytes | str, label: str, *, max_nodes: int = MAX_YAML_NODES) -> object:
    """Parse the text of a profile (or mapping) YAML file within casekit's limits.

    Parameters
    ----------
    data : bytes or str
        The file's content (bytes are checked against :data:`MAX_YAML_BYTES` as they are).
    label : str
        File name used in messages.
    max_nodes : int
        Most values the document may stand for once aliases are expanded (default
        :data:`MAX_YAML_NODES`; a mapping file of many codes passes more).

    Returns
    -------
    object
        The document (normally a dict), ``None`` for an empty file.

    Raises
    ------
    InputFileError
        Not valid YAML; larger than :data:`MAX_YAML_BYTES`; nested deeper than
        :data:`MAX_YAML_DEPTH`; aliases expanding beyond ``max_nodes`` values; or a key given
        twice in a mapping.

    Examples
    --------
    >>> load_profile_yaml("name: J\\ntier: secondary\\n", "hospital.yaml")
    {'name': 'J', 'tier': 'secondary'}
    >>> load_profile_yaml("tier: primary\\ntier: secondary\\n", "hospital.yaml")
    Traceback (most recent call last):
    ...
    casekit.errors.InputFileError: hospital.yaml, line 2: key 'tier' is given twice (first at line 1); casekit does not guess which one is meant
    Hint: keep one line per key
    """
    check_yaml_size(len(data.encode("utf-8") if isinstance(data, str) else data), label)
    loader = None
    try:
        loader = _BoundedLoader(data)
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, max_nodes)
        return loader.construct_document(node)
    except _Refused as exc:
        where = f", line {exc.mark.line + 1}" if exc.mark is not None else ""
        raise InputFileError(f"{label}{where}: {exc.message}", hint=exc.hint) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputFileError(f"{label} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}",
                             hint=_HINT) from None
    finally:
        if loader is not None:
            loader.dispose()
