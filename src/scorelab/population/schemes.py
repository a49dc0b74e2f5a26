"""Identity schemes: each country's names and national ID, chosen by ``population.identity``.

A scheme draws the identity columns of a block of persons (``surname`` uint16 and
``given_name`` uint32 codes, and for IDs ``address_code`` and ``id_sequence``), renders codes
as text for the few rows a report shows, builds and checks ID numbers, and gives the name
frequency tables from which namesake density follows (two persons share a full name with
probability ``namesakes()``). The registry's names must match the schema's
``IDENTITY_SCHEMES``, which says what each scheme asks of the region table.

>>> scheme("united-states").surname_label(0), scheme("united-states").id_format is None
('Smith', True)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from ..scenario.geography import Geography
from . import identity, identity_us
from .names import MAX_UINT16_NAMES, NameTable, head_and_tail

__all__ = ["SCHEMES", "ChinaScheme", "IdentityScheme", "NoIdScheme", "UnitedStatesScheme",
           "scheme"]


class IdentityScheme(ABC):
    """A country's names and ID format. Subclasses set the tables and, for IDs, the format."""

    name: ClassVar[str]
    #: the national ID's format in words, or None: persons carry no ID number
    id_format: ClassVar[str | None] = None

    # --- names ---------------------------------------------------------------------------

    @abstractmethod
    def surnames(self) -> NameTable:
        """The surname frequencies."""

    @abstractmethod
    def given_names(self, male: bool) -> NameTable:
        """The given-name frequencies of one sex (for namesake density and checks)."""

    def draw_surnames(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.uint16]:
        return self.surnames().draw(rng.random(n)).astype(np.uint16)

    def draw_given_names(self, rng: np.random.Generator, n: int,
                         male: np.ndarray) -> npt.NDArray[np.uint32]:
        """One uniform per person: women draw from the female table, men from the male one
        (codes ``0 ..`` women's names, then men's)."""
        female_t, male_t = self.given_names(False), self.given_names(True)
        u = rng.random(n)
        codes = np.where(male, male_t.draw(u) + len(female_t.labels), female_t.draw(u))
        return codes.astype(np.uint32)

    def surname_label(self, code: int) -> str:
        return self.surnames().labels[int(code)]

    def given_name_label(self, code: int) -> str:
        code = int(code)
        female = self.given_names(False).labels
        return female[code] if code < len(female) else self.given_names(True).labels[
            code - len(female)]

    def render(self, surname: npt.ArrayLike, given: npt.ArrayLike) -> list[str]:
        """Full names for a few rows (Python-level: not for whole columns)."""
        return [f"{self.given_name_label(g)} {self.surname_label(s)}" for s, g in
                zip(np.asarray(surname).tolist(), np.asarray(given).tolist(), strict=True)]

    def namesakes(self, male_share: float = 0.5) -> float:
        """Chance that two persons drawn at random share surname and given name (names
        drawn independently, as the scheme draws them)."""
        given = (male_share**2 * self.given_names(True).collision
                 + (1 - male_share) ** 2 * self.given_names(False).collision)
        return self.surnames().collision * given

    # --- national ID -----------------------------------------------------------------------

    def draw_id_parts(self, rng: np.random.Generator, city: np.ndarray, geo: Geography,
                      male: np.ndarray) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint16]]:
        """``address_code`` and ``id_sequence`` of a block; zero (and no draws) without IDs."""
        n = city.size
        return np.zeros(n, dtype=np.uint32), np.zeros(n, dtype=np.uint16)

    def ids(self, address_code: np.ndarray, birth: np.ndarray,
            sequence: np.ndarray) -> np.ndarray:
        """ID numbers (bytes) of some rows; a scheme without IDs has none to give."""
        raise ValueError(f"the {self.name} identity scheme has no national ID number")

    def valid_ids(self, ids: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        raise ValueError(f"the {self.name} identity scheme has no national ID number")


class ChinaScheme(IdentityScheme):
    """Chinese surnames, given names and 18-character resident IDs (see ``identity``); the
    draws are ``identity``'s, in the order every china scenario has always drawn them."""

    name = "china"
    id_format = "GB 11643-1999: 6-digit address, 8-digit birth date, 3-digit sequence, check"

    def surnames(self) -> NameTable:
        return _china_surnames()

    def given_names(self, male: bool) -> NameTable:
        return _china_given(male)

    def draw_surnames(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.uint16]:
        return identity.draw_surnames(rng, n)

    def draw_given_names(self, rng: np.random.Generator, n: int,
                         male: np.ndarray) -> npt.NDArray[np.uint32]:
        return identity.draw_given_names(rng, n, male)

    def surname_label(self, code: int) -> str:
        return identity.surname_label(code)

    def given_name_label(self, code: int) -> str:
        return identity.given_name_label(code)

    def render(self, surname: npt.ArrayLike, given: npt.ArrayLike) -> list[str]:
        return identity.render_identities(surname, given)

    def draw_id_parts(self, rng: np.random.Generator, city: np.ndarray, geo: Geography,
                      male: np.ndarray) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint16]]:
        """A county code of the person's city (uniform) and a sequence code of their sex."""
        pick = rng.random(city.size)
        address = np.empty(city.size, dtype=np.uint32)
        for c in np.unique(city):  # one vectorised write per city cell of the block
            rows = np.flatnonzero(city == c)
            codes = np.asarray(geo.city_county_codes[c], dtype=np.uint32)
            address[rows] = codes[(pick[rows] * codes.size).astype(np.int64)]
        return address, identity.sequence_codes(rng, male)

    def ids(self, address_code: np.ndarray, birth: np.ndarray,
            sequence: np.ndarray) -> np.ndarray:
        return identity.resident_ids(address_code, birth, sequence)

    def valid_ids(self, ids: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        return identity.valid_resident_ids(ids)


@cache
def _china_surnames() -> NameTable:
    return NameTable(tuple(row[0] for row in identity.SURNAMES),
                     tuple(row[2] for row in identity.SURNAMES))


@cache
def _china_given(male: bool) -> NameTable:
    """China's given names of one sex as a table, by sampling its composite draw once: the
    draw pairs characters, so the exact table is a product; a large fixed sample is close
    enough for namesake estimates (tests check draws against it)."""
    rng = np.random.default_rng(20_221_127)
    n = 2_000_000
    codes = identity.draw_given_names(rng, n, np.full(n, male))
    values, counts = np.unique(codes, return_counts=True)
    return NameTable(tuple(identity.given_name_label(v) for v in values.tolist()),
                     tuple(counts.astype(float).tolist()))


class UnitedStatesScheme(IdentityScheme):
    """US Census surnames (2010) and first names (1990) with fitted synthetic tails; no
    national ID number (the United States issues no national identity card, and synthetic
    Social Security numbers in the issued ranges could coincide with real persons' numbers,
    so none are made)."""

    name = "united-states"

    def surnames(self) -> NameTable:
        return _us_surnames()

    def given_names(self, male: bool) -> NameTable:
        return _us_given(male)


@cache
def _us_surnames() -> NameTable:
    return head_and_tail(identity_us.TOP_SURNAMES, "S", 1000,
                         identity_us.TOP_1000_SURNAMES_SHARE, MAX_UINT16_NAMES)


@cache
def _us_given(male: bool) -> NameTable:
    if male:
        return head_and_tail(identity_us.TOP_MALE_FIRST, "M", identity_us.MALE_FIRST_LISTED,
                             identity_us.MALE_FIRST_LISTED_SHARE, 1 << 20)
    return head_and_tail(identity_us.TOP_FEMALE_FIRST, "F", identity_us.FEMALE_FIRST_LISTED,
                         identity_us.FEMALE_FIRST_LISTED_SHARE, 1 << 20)


class NoIdScheme(IdentityScheme):
    """No country's tables: synthetic labels with Zipf shares (an assumption: 10,000
    surnames with share proportional to 1 / rank, 2,000 given names per sex likewise) and no
    ID number. For populations whose identity data are not the question."""

    name = "none"

    def surnames(self) -> NameTable:
        return _zipf("S", 10_000)

    def given_names(self, male: bool) -> NameTable:
        return _zipf("M" if male else "F", 2_000)


@cache
def _zipf(prefix: str, size: int) -> NameTable:
    ranks = np.arange(1, size + 1, dtype=np.float64)
    return NameTable(tuple(f"{prefix}{r:05d}" for r in range(1, size + 1)),
                     tuple((1.0 / ranks).tolist()))


#: the registered schemes by name (the schema's ``IDENTITY_SCHEMES`` lists the same names)
SCHEMES: dict[str, IdentityScheme] = {
    s.name: s for s in (ChinaScheme(), UnitedStatesScheme(), NoIdScheme())}


def scheme(name: str) -> IdentityScheme:
    """The scheme registered as ``name`` (KeyError names the known ones)."""
    try:
        return SCHEMES[name]
    except KeyError:
        raise KeyError(f"unknown identity scheme {name!r}; known: {', '.join(SCHEMES)}") from None
