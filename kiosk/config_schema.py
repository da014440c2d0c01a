"""Typed validation of TOML tables into dataclasses.

Errors name the file, the key, what was found and what was expected, so an engineer on site can
fix the file without reading code.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal, Union


class ConfigError(Exception):
    """The configuration file is unusable; the kiosk does not start half-configured."""

    def __init__(self, file: str, key: str, found: Any, expected: str):
        self.file, self.key, self.found, self.expected = file, key, found, expected
        if found is _MISSING:
            found_text = "nothing"
        elif isinstance(found, Hidden):
            found_text = str(found)
        else:
            found_text = f"{found!r} ({_type_name(found)})"
        super().__init__(f"{file}: [{key}] found {found_text}, expected {expected}")


class ConfigErrors(ConfigError):
    """Several problems at once (every missing secret, say), each naming its key."""

    def __init__(self, problems: list[ConfigError]):
        first = problems[0]
        self.problems = problems
        super().__init__(first.file, first.key, first.found, first.expected)
        self.args = ("\n".join(str(p) for p in problems),)

    def __str__(self) -> str:
        return self.args[0]


SECRET, MUST_EXIST = "secret", "must_exist"


def secret_field(default: str = "") -> Any:
    """A key the production profile takes only as a reference (credential:NAME or env:NAME)."""
    return dataclasses.field(default=default, metadata={SECRET: True})


def file_field(default: str = "") -> Any:
    """A path that, when set, must name an existing file before a service starts."""
    return dataclasses.field(default=default, metadata={MUST_EXIST: True})


def marked(obj: Any, mark: str, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) of every field carrying `mark`, through nested sections."""
    found = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}.{f.name}" if prefix else f.name
        if f.metadata.get(mark):
            found.append((key, value))
        elif dataclasses.is_dataclass(value):
            found += marked(value, mark, key)
    return found


class Hidden(str):
    """What an error message says instead of a value too sensitive to echo (a password, a key,
    a webhook token)."""


_MISSING = object()


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string",
            list: "array", dict: "table"}.get(type(value), type(value).__name__)


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(tp) if a is not type(None))
    if origin is list or origin is tuple:
        return f"an array of {_describe(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"a table of {_describe(typing.get_args(tp)[1])}"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return {bool: "true or false", int: "an integer", float: "a number",
            str: "a string"}.get(tp, str(tp))


def build(cls: type, data: Any, *, file: str, key: str) -> Any:
    """Build dataclass `cls` from a TOML table, validating every value."""
    if not isinstance(data, dict):
        raise ConfigError(file, key, data, "a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for extra in sorted(set(data) - names):
        raise ConfigError(file, f"{key}.{extra}" if key else extra, data[extra],
                          "no such key (known: " + ", ".join(sorted(names)) + ")")
    values = {}
    for f in dataclasses.fields(cls):
        sub = f"{key}.{f.name}" if key else f.name
        if f.name in data:
            values[f.name] = _convert(hints[f.name], data[f.name], file=file, key=sub)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(file, sub, _MISSING, _describe(hints[f.name]))
    obj = cls(**values)
    check = getattr(obj, "validate", None)
    if check is not None:
        problem = check()
        if problem:
            bad_key, expected = problem
            raise ConfigError(file, f"{key}.{bad_key}" if key else bad_key,
                              getattr(obj, bad_key, _MISSING), expected)
    return obj


def _convert(tp: Any, value: Any, *, file: str, key: str) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return build(tp, value, file=file, key=key)
    if origin is Literal:
        if value in typing.get_args(tp) and type(value) is not bool:
            return value
        raise ConfigError(file, key, value, _describe(tp))
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, value, file=file, key=key)
            except ConfigError:
                continue
        raise ConfigError(file, key, value, _describe(tp))
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise ConfigError(file, key, value, _describe(tp))
        (item,) = typing.get_args(tp)[:1]
        items = [_convert(item, v, file=file, key=f"{key}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(file, key, value, _describe(tp))
        _, item = typing.get_args(tp)
        return {k: _convert(item, v, file=file, key=f"{key}.{k}") for k, v in value.items()}
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    elif tp is Any:
        return value
    raise ConfigError(file, key, value, _describe(tp))
