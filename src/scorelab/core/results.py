"""Typed results: the totals a part hands to the ledger, and the base of the summary models.

A part (a system, a measure, a shard) counts its own persons into a ``Totals`` dataclass of
integers and integer arrays, which crosses to the ledger as plain data. The ledger combines
the parts' totals by their own rule: by default field by field, integers and arrays add,
nested totals combine by theirs, and anything else (a grade name) must be the same in every
part. Integers add up exactly in any order, so the outputs are the same for any split.

>>> from dataclasses import dataclass
>>> @dataclass
... class Seen(Totals):
...     persons: int
...     names: tuple[str, ...]
>>> Seen.total([Seen(3, ("a",)), Seen(4, ("a",))])
Seen(persons=7, names=('a',))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_serializer,
)
from pydantic_core import PydanticCustomError


@dataclass
class Totals:
    """Base of a dataclass of counts that add up over the parts of a run (with no fields of
    its own: the totals of a kind that counts nothing beyond what its family counts)."""

    def combine(self, other: Self) -> Self:
        """These totals and another part's, by the rule of the module docstring (a kind may
        override it)."""
        if type(other) is not type(self):
            raise TypeError(f"cannot combine {type(self).__name__} with {type(other).__name__}")
        return type(self)(**{f.name: _combine(getattr(self, f.name), getattr(other, f.name))
                             for f in dataclasses.fields(self)})

    def summary_fields(self) -> dict[str, Any]:
        """The fields of a summary entry these totals give, once combined (none here)."""
        return {}

    @classmethod
    def total(cls, parts: Sequence[Self]) -> Self:
        """All parts combined, in order."""
        if not parts:
            raise ValueError(f"no {cls.__name__} to combine")
        out = parts[0]
        for part in parts[1:]:
            out = out.combine(part)
        return out


def _combine(a: Any, b: Any) -> Any:
    if isinstance(a, Totals):
        return a.combine(b)
    if isinstance(a, np.ndarray):
        if a.shape != b.shape:
            raise ValueError(f"parts disagree on an array's shape: {a.shape} vs {b.shape}")
        return a + b
    if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
        return int(a) + int(b)
    if isinstance(a, dict):
        # parts report the same keys in the same order, so the order of keys in the output
        # cannot depend on the split
        if list(a) != list(b):
            raise ValueError(f"parts disagree on keys: {list(a)} vs {list(b)}")
        return {k: _combine(a[k], b[k]) for k in a}
    if isinstance(a, (tuple, list)) and any(isinstance(x, (Totals, np.ndarray)) for x in a):
        return type(a)(_combine(x, y) for x, y in zip(a, b, strict=True))
    if a != b:  # anything else (a flag, a name) must be the same in every part
        raise ValueError(f"parts disagree on a value that does not add: {a!r} vs {b!r}")
    return a


class Model(BaseModel):
    """Base of the summary models: unknown fields are refused, and the JSON form leaves out
    the fields a run did not set (rather than writing null). A family of models whose kinds
    add fields may order them in the JSON otherwise than declared (``json_order``)."""

    model_config = ConfigDict(extra="forbid")

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: fields the run did not set are left out."""
        return self.model_dump(exclude_unset=True)

    @classmethod
    def json_order(cls) -> tuple[str, ...] | None:
        """The order of the fields in the JSON form (None: as declared)."""
        return None

    # no return annotation: pydantic would publish it as the model's JSON Schema
    @model_serializer(mode="wrap")
    def _ordered(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        out = handler(self)
        order = self.json_order()
        if order is None or not isinstance(out, dict):
            return out
        return {k: out[k] for k in order if k in out}


def kind_of(model: type[BaseModel]) -> str:
    """The tag of a model that declares ``kind: Literal["name"]``."""
    args = getattr(model.model_fields["kind"].annotation, "__args__", None)
    if args is None or len(args) != 1 or not isinstance(args[0], str):
        raise ValueError(f"{model.__name__} must declare kind: Literal['<its kind>']")
    return str(args[0])


def tagged(models: Callable[[], Mapping[str, type[BaseModel]]]) -> WrapValidator:
    """A validator that picks a model by the value's ``kind`` tag, as a discriminated union
    would, from ``models()`` (a registry: a new kind needs no change where it is used)."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        found = models()
        if isinstance(value, BaseModel) and type(value) in found.values():
            return value
        if isinstance(value, BaseModel):
            value = value.model_dump(exclude_unset=True)
        if not isinstance(value, dict):
            raise PydanticCustomError("model_type", "Input should be a mapping")
        if "kind" not in value:
            raise PydanticCustomError(
                "union_tag_not_found", "Unable to extract tag using discriminator 'kind'",
                {"discriminator": "'kind'"})
        kind = value["kind"]
        model = found.get(kind) if isinstance(kind, str) else None
        if model is None:
            expected = ", ".join(repr(n) for n in found)
            raise PydanticCustomError(
                "union_tag_invalid",
                "Input tag {tag} found using 'kind' does not match any of the expected tags: "
                "{expected_tags}",
                {"discriminator": "'kind'", "tag": kind, "expected_tags": expected})
        return model.model_validate(value)

    return WrapValidator(validate)


__all__ = ["Model", "Totals", "kind_of", "tagged"]
