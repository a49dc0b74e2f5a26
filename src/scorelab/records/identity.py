"""Identity records: the name, birth date, resident ID and city that a source wrote down for
each person it holds records on, with the errors clerks and forms make.

Linking the records of several agencies to persons can only be as good as these fields. The
true identity comes from the population's columns (so namesakes are exactly as frequent as the
identity scheme's surname and given-name tables make them); ``IdentityNoise`` then spoils a
share of the records: a wrong character of the given name, another romanisation of the
surname, day and month swapped, one wrong ID digit, empty fields. Every draw is keyed by
(seed, source stream, day, person), so a record does not depend on how persons are split.

Surnames are written in toneless pinyin, the romanised key that linkage compares (so
homophone surnames such as 徐 and 许 both read ``xu``, as in the registries); given names in
characters (China) or as the scheme's labels; the birth date as ``YYYY-MM-DD``; the ID as its
18 characters, or empty where the scheme has no ID number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache

import numpy as np

from ..core.streams import Stream
from ..population.generate import Population
from ..population.identity import CHAR_POOL, SURNAMES
from ..population.schemes import IdentityScheme
from ..scenario.schema import IdentityNoise

#: other romanisations of the commonest surnames: GB/T 28039-2011's LYU written LU or LV
#: before 2012, Wade-Giles (Taiwan) and Hong Kong or Singapore spellings (docs/sources.md)
PINYIN_VARIANTS: dict[str, tuple[str, ...]] = {
    "lyu": ("lu", "lv"), "wang": ("wong",), "zhang": ("chang", "cheung"), "chen": ("chan",),
    "li": ("lee",), "wu": ("ng",), "huang": ("wong",), "xu": ("hsu",), "zhou": ("chou",),
    "yang": ("yeung",),
}
#: one draw index per decision, so adding a kind of error never moves another's draws
_TYPO, _TYPO_AT, _TYPO_CHAR, _PINYIN, _PINYIN_WHICH, _SWAP, _DIGIT, _DIGIT_AT, _DIGIT_BY = \
    range(9)
_MISSING = 16  # + field number
FIELDS = ("surname", "given", "birth", "id_number", "city")


@dataclass
class IdentityRecords:
    """One record per (source, person held): the identity as written, and for scoring the
    linkage only, the person it truly is. Plain arrays, so shards can send them."""

    person: np.ndarray  # int64: who the record is about (ground truth, never linked on)
    source: np.ndarray  # uint8: index of the source
    surname: np.ndarray  # str
    given: np.ndarray
    birth: np.ndarray
    id_number: np.ndarray
    city: np.ndarray

    def __len__(self) -> int:
        return int(self.person.size)

    @classmethod
    def concat(cls, parts: list[IdentityRecords]) -> IdentityRecords:
        """The records of several shards or sources, in the given order."""
        names = [f.name for f in fields(cls)]
        if not parts:
            empty = {n: np.empty(0, dtype=np.int64 if n == "person" else
                                 np.uint8 if n == "source" else "U1") for n in names}
            return cls(**empty)
        return cls(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})


@cache
def _pinyin_table() -> np.ndarray:
    return np.array([row[1] for row in SURNAMES])


@cache
def _variant_table() -> tuple[np.ndarray, np.ndarray]:
    """Per surname code: its variants (up to two, padded by repeating) and how many."""
    spelled = _pinyin_table()
    first = spelled.copy()
    second = spelled.copy()
    count = np.zeros(spelled.size, dtype=np.int64)
    for code, name in enumerate(spelled.tolist()):
        variants = PINYIN_VARIANTS.get(name, ())
        if variants:
            first[code] = variants[0]
            second[code] = variants[-1]
            count[code] = len(variants)
    return np.stack([first, second]), count


def true_surnames(scheme: IdentityScheme, codes: np.ndarray) -> np.ndarray:
    """Surnames as written without error: pinyin (china) or the scheme's labels."""
    if scheme.name == "china":
        return np.asarray(_pinyin_table()[codes])
    return _labels(codes, scheme.surname_label)


def true_given_names(scheme: IdentityScheme, codes: np.ndarray) -> np.ndarray:
    return _labels(codes, scheme.given_name_label)


def _labels(codes: np.ndarray, label: Callable[[int], str]) -> np.ndarray:
    """Labels of codes, looked up once per distinct code (not once per person)."""
    if codes.size == 0:
        return np.empty(0, dtype="U1")
    unique, inverse = np.unique(codes, return_inverse=True)
    table = np.array([label(int(c)) for c in unique.tolist()])
    return np.asarray(table[inverse])


def birth_text(birth: np.ndarray) -> np.ndarray:
    """``YYYYMMDD`` integers as ``YYYY-MM-DD``."""
    if birth.size == 0:
        return np.empty(0, dtype="U10")
    text = np.char.zfill(birth.astype("U8"), 8)
    codes = text.view(np.uint32).reshape(-1, 8)
    out = np.full((birth.size, 10), ord("-"), dtype=np.uint32)
    out[:, 0:4], out[:, 5:7], out[:, 8:10] = codes[:, 0:4], codes[:, 4:6], codes[:, 6:8]
    return out.view("U10").reshape(birth.size)


def replace_one_character(text: np.ndarray, hit: np.ndarray, u_at: np.ndarray,
                          u_char: np.ndarray, alphabet: np.ndarray) -> np.ndarray:
    """Each hit string with one character (at a drawn position) replaced by a different one of
    ``alphabet`` (code points); empty strings are left as they are."""
    n = text.size
    width = max(text.dtype.itemsize // 4, 1)
    codes = np.ascontiguousarray(text.astype(f"U{width}")).view(np.uint32).reshape(n, width)
    codes = codes.copy()
    length = np.char.str_len(text)
    rows = np.flatnonzero(hit & (length > 0))
    at = np.floor(u_at[rows] * length[rows]).astype(np.int64)
    k = np.floor(u_char[rows] * (alphabet.size - 1)).astype(np.int64)
    old = codes[rows, at]
    pick = alphabet[k]
    # skip the old character: draw among the others
    pick = np.where(pick == old, alphabet[-1], pick)
    codes[rows, at] = pick
    return codes.view(f"U{width}").reshape(n)


_LETTERS = np.array([ord(c) for c in "abcdefghijklmnopqrstuvwxyz"], dtype=np.uint32)
_CHARACTERS = np.array([ord(c) for c in CHAR_POOL], dtype=np.uint32)


def write_identities(pop: Population, scheme: IdentityScheme, ids: np.ndarray, source: int,
                     noise: IdentityNoise, stream: Stream, day: int) -> IdentityRecords:
    """The identity records one source writes on ``day`` for the persons ``ids`` (global ids
    of this shard's persons)."""
    rows = ids - pop.start
    n = ids.size

    def u(k: int) -> np.ndarray:
        return stream.uniform(day, ids, k)

    surname = true_surnames(scheme, pop.surname[rows])
    if noise.pinyin > 0 and scheme.name == "china" and n:
        variants, count = _variant_table()
        codes = pop.surname[rows].astype(np.int64)
        hit = (u(_PINYIN) < noise.pinyin) & (count[codes] > 0)
        which = np.floor(u(_PINYIN_WHICH) * np.maximum(count[codes], 1)).astype(np.int64)
        which = np.minimum(which, 1)
        surname = np.where(hit, variants[which, codes], surname)
    given = true_given_names(scheme, pop.given_name[rows])
    if noise.typo > 0 and n:
        alphabet = _CHARACTERS if scheme.name == "china" else _LETTERS
        given = replace_one_character(given, u(_TYPO) < noise.typo, u(_TYPO_AT), u(_TYPO_CHAR),
                                      alphabet)
    birth = pop.birth[rows].astype(np.int64)
    if noise.swap_day_month > 0 and n:
        month, dd = (birth // 100) % 100, birth % 100
        swap = (u(_SWAP) < noise.swap_day_month) & (dd <= 12) & (dd != month)
        birth = np.where(swap, (birth // 10_000) * 10_000 + dd * 100 + month, birth)
    birth_written = birth_text(birth)
    if scheme.id_format is None or n == 0:
        id_number = np.full(n, "", dtype="U18")
    else:
        raw = scheme.ids(pop.address_code[rows], pop.birth[rows], pop.id_sequence[rows])
        digits = raw.view(np.uint8).reshape(n, 18).copy()
        if noise.id_digit > 0:
            wrong = np.flatnonzero(u(_DIGIT) < noise.id_digit)
            at = np.floor(u(_DIGIT_AT)[wrong] * 17).astype(np.int64)
            by = 1 + np.floor(u(_DIGIT_BY)[wrong] * 9).astype(np.int64)
            old = digits[wrong, at].astype(np.int64) - ord("0")
            digits[wrong, at] = ((old + by) % 10 + ord("0")).astype(np.uint8)
        id_number = digits.view("S18").reshape(n).astype("U18")
    city = np.array(pop.geography.city_names)[pop.city[rows]] if n else np.empty(0, "U1")
    written = {"surname": surname, "given": given, "birth": birth_written,
               "id_number": id_number, "city": city}
    if noise.missing > 0 and n:
        for k, name in enumerate(FIELDS):
            gone = u(_MISSING + k) < noise.missing
            written[name] = np.where(gone, "", written[name])
    return IdentityRecords(person=ids.astype(np.int64), source=np.full(n, source, np.uint8),
                           **written)
