"""Typed, strict records for the files users write (lablens.toml, catalog.yaml).

They are msgspec Structs rather than pydantic models: they validate the same way (unknown keys
rejected, types checked, cross-field checks in `__post_init__`) but cost ~5 ms to import and
define instead of ~250 ms, which was 40 % of a cold `lablens validate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")


class StrictRecord(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """Base of every user-facing record: an unknown key is an error, defaults stay out of dumps.

    msgspec applies `kw_only` to the fields a class itself defines: subclasses repeat it.
    """


@dataclass(frozen=True)
class RecordProblem:
    """The first problem in a document: where it is (`["tables", 0, "columns"]`) and what."""

    loc: list[str | int]
    message: str
    unknown_key: bool

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.loc) or "(top level)"


# msgspec reports "<message> - at `$.tables[0].columns`"; the path part is optional.
_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_NAMED_FIELD = re.compile(r"^Object (?:contains unknown|missing required) field `([^`]+)`")


def convert(data: Any, record: type[T], *, dec_hook: Any = None) -> T:
    """Validate plain data (from TOML/YAML) into `record`; strings coerce to numbers and
    booleans as in an environment variable. Raises `msgspec.ValidationError`."""
    return msgspec.convert(data, record, strict=False, dec_hook=dec_hook)


def first_problem(exc: msgspec.ValidationError) -> RecordProblem:
    """Split msgspec's message into a location (the offending key included) and a message."""
    match = _AT.match(str(exc))
    assert match is not None  # the pattern accepts any text
    message, path = match["msg"], match["path"] or ""
    loc: list[str | int] = [int(i) if key == "" else key for key, i in _PATH_PART.findall(path)]
    named = _NAMED_FIELD.match(message)
    if named:
        loc.append(named[1])
    unknown = message.startswith("Object contains unknown field")
    if unknown:
        message = f"unknown key {loc[-1]!r}"
    elif named:
        message = "required key is missing"
    return RecordProblem(loc=loc, message=message, unknown_key=unknown)


def to_plain(record: Any) -> Any:
    """Plain JSON-ready data of a record, defaults left out."""
    return msgspec.to_builtins(record)
