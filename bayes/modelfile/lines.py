"""Containers that remember where in the file each key and item was written (1-based lines).

Both YAML readers (`yamlfile` with PyYAML, `yamlblock` for the plain block style) build these, so every
check can point the analyst at the exact line."""

from __future__ import annotations


class LineDict(dict):
    """A dict that knows its own line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines = {}

    def line_of(self, key) -> int | None:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list that knows its own line and the line of each item (1-based)."""

    line: int | None = None
    item_lines: list

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_lines = []

    def line_of(self, index: int) -> int | None:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


_NO_KEY = object()


def line_of(container, key=_NO_KEY) -> int | None:
    """Line of `key` inside `container` (or of the container itself), where known."""
    if key is _NO_KEY:
        return getattr(container, "line", None)
    if type(container) is LineDict:  # (validation asks this for nearly every key it reads)
        return container.key_lines.get(key, container.line)
    if hasattr(container, "line_of"):
        return container.line_of(key)
    return getattr(container, "line", None)
