"""Tool arguments checked against the tools' JSON schemas: the subset the tools use.

Objects with `properties`, `required` and `additionalProperties: false`; strings with
`minLength`/`maxLength`; integers with `minimum`/`maximum`. Written out rather than importing
jsonschema, which costs ~145 ms of a cold `lablens ask` (measured with -X importtime) for six
flat schemas; a schema using any other keyword is refused at once, so none is half-checked.
"""

from __future__ import annotations

from collections.abc import Mapping

SUPPORTED = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "description",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
}


def schema_problem(schema: Mapping[str, object], value: object, where: str = "") -> str | None:
    """The first way `value` breaks `schema`, as a sentence naming the field; None when valid."""
    unknown = set(schema) - SUPPORTED
    if unknown:
        raise ValueError(f"schema keyword(s) not supported: {sorted(unknown)}")
    kind = schema.get("type")
    name = where or "arguments"
    if kind == "object":
        if not isinstance(value, dict):
            return f"{name} must be a JSON object"
        props = schema.get("properties") or {}
        assert isinstance(props, dict)
        for key in schema.get("required") or []:  # type: ignore[attr-defined]
            if key not in value:
                return f"{name}: '{key}' is required"
        if schema.get("additionalProperties") is False:
            extra = sorted(set(value) - set(props))
            if extra:
                return f"{name}: unexpected field(s) {', '.join(map(repr, extra))}"
        for key, sub in props.items():
            if key in value:
                problem = schema_problem(sub, value[key], key)
                if problem:
                    return problem
        return None
    if kind == "string":
        if not isinstance(value, str):
            return f"{name} must be a string"
        if len(value) < int(schema.get("minLength", 0)):  # type: ignore[call-overload]
            return f"{name} must not be empty"
        if "maxLength" in schema and len(value) > int(schema["maxLength"]):  # type: ignore[call-overload]
            return f"{name} is longer than {schema['maxLength']} characters"
        return None
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{name} must be an integer"
        if "minimum" in schema and value < int(schema["minimum"]):  # type: ignore[call-overload]
            return f"{name} must be at least {schema['minimum']}"
        if "maximum" in schema and value > int(schema["maximum"]):  # type: ignore[call-overload]
            return f"{name} must be at most {schema['maximum']}"
        return None
    raise ValueError(f"schema type {kind!r} not supported")
