"""Schedules: dated changes to a scenario's parameters, resolved into per-day part specs.

A scenario's ``schedule:`` lists changes, in date order::

    schedule:
      - {at: 2016-01-01, set: systems.rongcheng.sanctions.C, to: [loans, flights]}
      - {at: 2014-06-01, until: 2020-12-31, set: systems.rongcheng.rules.loan_late.coverage,
         to: 0.9}

``at`` and ``until`` are reported days (0 is the first) or dates (with ``start_date``). A
change with only ``at`` sets the parameter before day ``at`` runs; one with ``until`` ramps it
linearly from the value in force at ``at`` to ``to`` on day ``until`` (whole numbers are
rounded), one step a day. A run shorter than its schedule stops before the later changes: a
change dated after its last day is checked but not reached, and a ramp that ends after it
stops part way (:func:`beyond_the_run` says so once, in the summary's warnings), so a
preset with a schedule can still be run shorter. Paths name any parameter of ``processes``,
``systems``, ``measures`` or ``protests``, but not what fixes the shape of a run (who a
system covers, its kind, its events and grades, its random streams): those are read once,
when the run is built.

:func:`resolve` checks every change against the scenario (the path exists, the value has the
field's type, the scenario stays valid) and returns the :class:`Step` of each day on which a
spec changes: the new spec of each part it touches. The engine hands those specs to the
parts between days (``core.tunable``), the same way on every backend and shard count.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from .errors import short
from .fields import Strict
from .kinds import FAMILIES
from .parts import ProcessSpec, ProtestSpec
from .references import Reference, ReferenceProblems, did_you_mean


def iso_date(value: Any, expected: str = "a date YYYY-MM-DD") -> Any:
    """A date written as YAML's date, or as ISO text (as scenario.yaml writes it); anything
    else is left for the field's type to judge."""
    if isinstance(value, datetime.datetime):
        raise ValueError(f"expected {expected}, not a date and time")  # noqa: TRY004
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected {expected}, got {short(value)}") from None
    return value


DayOrDate = Annotated[int | datetime.date, BeforeValidator(
    lambda value: iso_date(value, "a day number or a date YYYY-MM-DD"))]


class Change(Strict):
    """One dated change: ``set`` the parameter at a dotted path ``to`` a value before day
    ``at`` runs, or (with ``until``) ramp it linearly to that value by day ``until``. Days are
    reported days (0 is the first) or dates, with ``start_date`` (see ``scenario.schedule``)."""

    at: DayOrDate
    until: DayOrDate | None = None
    set: str = Field(min_length=1, max_length=500)
    to: Any


class Scheduled(Protocol):
    """What a schedule reads of the scenario it changes (the schema's ``Scenario``, which
    sits above this module and checks its schedule through :func:`resolve`)."""

    @property
    def days(self) -> int: ...

    @property
    def warmup_days(self) -> int: ...

    @property
    def start_date(self) -> datetime.date | None: ...

    @property
    def schedule(self) -> list[Change]: ...

    @property
    def protests(self) -> ProtestSpec | None: ...

    def model_dump(self) -> dict[str, Any]: ...

    @classmethod
    def model_validate(cls, obj: Any) -> Any: ...


#: the sections a schedule may change, by the model each of their parts has
SECTIONS = ("processes", "systems", "measures", "protests")

PartKey = tuple[str, str]  # (section, name); protests: ("protests", "")


@dataclass(frozen=True)
class Step:
    """The specs that change before internal day ``day`` runs, by part."""

    day: int
    parts: dict[PartKey, BaseModel]


class ScheduleProblem(Exception):
    """One change that cannot be made: where (a field of the change) and why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


def day_number(when: int | datetime.date, start_date: datetime.date | None, field: str) -> int:
    """A reported day from a day number or a date."""
    if isinstance(when, datetime.date):
        if start_date is None:
            raise ScheduleProblem(field, "a date needs the scenario's start_date (or give a "
                                         "day number)")
        return (when - start_date).days
    return when


def split_path(data: dict[str, Any], text: str, new_key: bool = False) -> tuple[str, ...]:
    """The keys of a dotted path in the scenario's data. Names may hold dots themselves, so
    each step takes the longest key that matches. With ``new_key``, the rest of the path may
    be a key the last mapping does not hold yet (a grade's first sanctions)."""
    keys: list[str] = []
    node: Any = data
    rest = text
    while rest:
        if not isinstance(node, dict):
            where = ".".join(keys)
            raise ScheduleProblem("set", f"{short(text)}: {where} is a value, not a section "
                                         f"(nothing is below it)")
        matches = [k for k in node if isinstance(k, str)
                   and (rest == k or rest.startswith(k + "."))]
        if not matches and new_key and len(keys) >= 3:  # in a mapping of a part
            return (*keys, rest)
        if not matches:
            head = rest.split(".", 1)[0]
            where = ".".join(keys) or "the scenario"
            known = [str(k) for k in node]
            raise ScheduleProblem("set", (
                f"{short(text)}: {where} has no {short(head)}{did_you_mean(head, known)}; "
                f"it has: {', '.join(known) or 'nothing'}"))
        key = max(matches, key=len)
        keys.append(key)
        node = node[key]
        rest = rest[len(key) + 1:]
    return tuple(keys)


def _get(data: Any, keys: tuple[str, ...]) -> Any:
    for k in keys:
        data = data[k]
    return data


def _put(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    for k in keys[:-1]:
        data = data[k]
    data[keys[-1]] = copy.deepcopy(value)


def _part_key(keys: tuple[str, ...]) -> PartKey:
    return (keys[0], "") if keys[0] == "protests" else (keys[0], keys[1])


def _part_model(scenario: Scheduled, key: PartKey, data: dict[str, Any]) -> type[BaseModel]:
    section, name = key
    if section == "processes":
        return ProcessSpec
    if section == "protests":
        return ProtestSpec
    spec = FAMILIES[section].spec(str(data[section][name]["kind"]))
    assert spec is not None
    return spec


def _shape(key: PartKey, spec: Any) -> tuple[Any, ...]:
    """What must stay the same through a run: the arrays a part holds and its streams."""
    section, name = key
    if section == "processes":
        return (spec.events(), spec.stream_names(name))
    if section == "protests":
        return (spec.stream_names(),)
    part = FAMILIES[section].part(spec.kind)
    columns = [(c.name, str(c.dtype), c.width) for c in part.table(spec)]
    extra = spec.named_cities() if section == "measures" else spec.appeals is None
    return (spec.stream_names(name), columns, extra, spec.fixed_shape())


def _fixed_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(getattr(model, "FIXED", ()))


@dataclass
class _Change:
    index: int
    keys: tuple[str, ...]
    start: int  # reported days
    stop: int
    target: Any


def resolve(scenario: Scheduled) -> tuple[list[Reference], tuple[Step, ...]]:
    """Check the schedule of ``scenario``; return its problems and its steps (by day)."""
    problems: list[Reference] = []
    if not scenario.schedule:
        return problems, ()
    data = scenario.model_dump()
    data.pop("schedule", None)
    changes: list[_Change] = []
    last_start = 0
    for i, change in enumerate(scenario.schedule):
        try:
            changes.append(_check(scenario, data, i, change, last_start, changes))
            last_start = changes[-1].start
        except ScheduleProblem as exc:
            problems.append(Reference(("schedule", i, exc.field), exc.message))
    if problems:
        return problems, ()
    try:
        steps = _expand(scenario, data, changes)
    except ScheduleProblem as exc:
        index, field = exc.field.split(":", 1)
        return [Reference(("schedule", int(index), field), exc.message)], ()
    return problems, steps


def _check(scenario: Scheduled, data: dict[str, Any], i: int, change: Any, last_start: int,
           earlier: list[_Change]) -> _Change:
    start = day_number(change.at, scenario.start_date, "at")
    if start < 0:
        raise ScheduleProblem("at", f"day {short(start)} is before the run (its first reported day "
                                    f"is 0){_as_date(scenario, start)}")
    if start < last_start:
        raise ScheduleProblem("at", f"changes must be listed in date order: day {start} comes "
                                    f"before day {last_start} of an earlier change")
    stop = start
    if change.until is not None:
        stop = day_number(change.until, scenario.start_date, "until")
        if stop <= start:
            raise ScheduleProblem("until", f"a ramp must end after it starts: until (day "
                                           f"{stop}) is not after at (day {start})")
    keys = split_path(data, change.set, new_key=True)
    try:
        _get(data, keys)
    except KeyError:  # a new key: fine in a mapping (sanctions of a grade), not in a model
        probe = copy.deepcopy(data)
        _put(probe, keys, change.to)
        section = probe[keys[0]] if keys[0] == "protests" else probe[keys[0]][keys[1]]
        model = _part_model(scenario, _part_key(keys), probe)
        try:
            model.model_validate(section)
        except ValidationError as exc:
            if any(e["type"] == "extra_forbidden" for e in exc.errors()):
                split_path(data, change.set)  # raises the "has no ... did you mean" problem
    if keys[0] not in SECTIONS:
        raise ScheduleProblem("set", (
            f"{short(change.set)}: {keys[0]} cannot change during a run; a schedule changes "
            f"parameters of {', '.join(SECTIONS)}"))
    if keys[0] != "protests" and len(keys) < 2:
        raise ScheduleProblem("set", f"{short(change.set)}: name one of the {keys[0]} "
                                     f"(adding or removing one changes the run's shape)")
    part = _part_key(keys)
    model = _part_model(scenario, part, data)
    field = keys[1] if keys[0] == "protests" else (keys[2] if len(keys) > 2 else None)
    if field is None or field in _fixed_fields(model) or field == "kind":
        what = field or "a whole part"
        raise ScheduleProblem("set", (
            f"{short(change.set)}: {what} is fixed for the run (read once, when the run is "
            f"built); fixed here: {', '.join(('kind', *_fixed_fields(model)))}"))
    for other in earlier:
        if other.keys[:len(keys)] == keys[:len(other.keys)] and other.stop > start:
            raise ScheduleProblem("at", (
                f"{short(change.set)} is still ramping until day {other.stop} (change "
                f"{other.index}): a change of the same parameter must start after it ends"))
    if change.until is not None:
        try:
            current = _get(data, keys)
        except KeyError:
            raise ScheduleProblem("set", f"{short(change.set)}: a ramp needs a value to start "
                                         f"from, and the scenario has none there") from None
        for value, what in ((current, "its value"), (change.to, "to")):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ScheduleProblem("to", (
                    f"a ramp needs a number, and {what} is {short(value)}; give no until: "
                    f"to set a value on one day"))
            try:
                float(value)
            except OverflowError:
                raise ScheduleProblem("to", f"{what} is {short(value)}: too large a number to "
                                            "ramp over") from None
    return _Change(i, keys, start, stop, change.to)


def _as_date(scenario: Scheduled, day: int) -> str:
    if scenario.start_date is None:
        return ""
    return f" ({(scenario.start_date + datetime.timedelta(days=day)).isoformat()})"


def beyond_the_run(scenario: Scheduled) -> str | None:
    """The one note a run shorter than its schedule gets: which changes it does not reach
    and which ramps it stops part way; None when the whole schedule falls within the run."""
    days, start_date = scenario.days, scenario.start_date
    unreached, cut = [], []
    for i, change in enumerate(scenario.schedule):
        if day_number(change.at, start_date, "at") >= days:
            unreached.append(i)
        elif change.until is not None and day_number(change.until, start_date,
                                                     "until") >= days:
            cut.append(i)
    if not unreached and not cut:
        return None
    parts = []
    if unreached:
        verb = "is" if len(unreached) == 1 else "are"
        parts.append(f"{_changes(unreached)} dated after it {verb} not reached")
    if cut:
        verb = "stops" if len(cut) == 1 else "stop"
        parts.append(f"{_changes(cut, 'ramp')} ending after it {verb} part way")
    return (f"schedule: the run ends on day {days - 1}{_as_date(scenario, days - 1)}, so "
            + " and ".join(parts) + f" (of {len(scenario.schedule)} changes)")


def _changes(indices: list[int], noun: str = "change") -> str:
    """``3 changes (schedule[6-8])``: a count and the indices, runs of them joined."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    where = ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
    return f"{len(indices)} {noun}{'' if len(indices) == 1 else 's'} (schedule[{where}])"


def _value_at(change: _Change, start_value: Any, day: int) -> Any:
    """A ramp's value on ``day``: linear from ``start_value`` to the target, whole numbers
    rounded when both ends are whole."""
    if day >= change.stop:
        return change.target
    x = start_value + (change.target - start_value) * (day - change.start) / (
        change.stop - change.start)
    if isinstance(start_value, int) and isinstance(change.target, int):
        return round(x)
    return x


def _expand(scenario: Scheduled, data: dict[str, Any], changes: list[_Change]
            ) -> tuple[Step, ...]:
    """Apply the changes day by day; validate each new part spec (and, where a change is
    complete, the whole scenario); collect the steps."""
    warmup = scenario.warmup_days
    current = copy.deepcopy(data)
    last = scenario.days - 1  # a change is followed until the run ends, and no further
    days = sorted({d for c in changes for d in range(c.start, min(c.stop, last) + 1)})
    begun: dict[int, Any] = {}  # change index -> the value in force when its ramp began
    steps: list[Step] = []
    for day in days:
        touched: dict[PartKey, int] = {}
        done: list[_Change] = []
        for change in changes:
            if not change.start <= day <= change.stop:
                continue
            if change.index not in begun:  # (a set may add a key, a ramp may not)
                begun[change.index] = (_get(current, change.keys)
                                       if change.stop > change.start else None)
            if change.stop > change.start and day == change.start:
                continue  # a ramp starts from the value in force
            _put(current, change.keys, _value_at(change, begun[change.index], day))
            touched[_part_key(change.keys)] = change.index
            if day == min(change.stop, last):  # complete, or as far as the run goes
                done.append(change)
        parts: dict[PartKey, BaseModel] = {}
        for key, index in touched.items():
            section, name = key
            model = _part_model(scenario, key, current)
            raw = current[section] if section == "protests" else current[section][name]
            try:
                spec = model.model_validate(raw)
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in (*_prefix(key), *err["loc"]))
                raise ScheduleProblem(f"{index}:to", f"{where}: {err['msg']}") from None
            base = _base_spec(scenario, key)
            if _shape(key, spec) != _shape(key, base):
                raise ScheduleProblem(f"{index}:set", (
                    f"this change alters the shape of {'.'.join(_prefix(key))} (its events, "
                    f"grades, streams or arrays), which is fixed for the run"))
            if spec != _spec_now(steps, key, base):
                parts[key] = spec
        for change in done:
            try:
                type(scenario).model_validate(current)
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"])
                raise ScheduleProblem(f"{change.index}:to", f"{where}: {err['msg']}") from None
            except ReferenceProblems as exc:
                raise ScheduleProblem(f"{change.index}:to", "; ".join(
                    f"{p.path}: {p.message}" for p in exc.problems)) from None
        if parts:
            steps.append(Step(warmup + day, parts))
    return tuple(steps)


def _prefix(key: PartKey) -> tuple[str, ...]:
    return ("protests",) if key[0] == "protests" else key


def _base_spec(scenario: Scheduled, key: PartKey) -> Any:
    section, name = key
    if section == "protests":
        return scenario.protests
    return getattr(scenario, section)[name]


def _spec_now(steps: list[Step], key: PartKey, base: Any) -> Any:
    for step in reversed(steps):
        if key in step.parts:
            return step.parts[key]
    return base
