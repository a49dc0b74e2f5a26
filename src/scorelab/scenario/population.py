"""The population's spec: regions, cities, ages, incomes, activism and the identity scheme."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from .errors import short
from .fields import MAX_ITEMS, MAX_PEOPLE, MAX_PERSONS, MAX_SEED, Probability, Strict

# --- population -------------------------------------------------------------------------


class ProvinceSpec(Strict):
    """A region (a province, a state): its census population, urban and minority shares, and
    the code its residents' national IDs carry, where the identity scheme uses one (China's
    province code, 11-99); other schemes need no code."""

    code: int | None = Field(default=None, ge=0, le=255)
    population: int = Field(gt=0, le=MAX_PEOPLE)
    urban_share: Probability | None = None
    minority_share: Probability | None = None


class RegionSpec(ProvinceSpec):
    """One row of a region table (``population.regions``): a named region."""

    name: str = Field(min_length=1, max_length=200)


class CitySpec(Strict):
    """A named city (a pilot city of some system); the rest of its province is one remainder.

    ``county_codes`` are the county-level codes its residents' IDs carry, where the identity
    scheme uses them (china); other schemes need none."""

    province: str
    population: int = Field(gt=0, le=MAX_PEOPLE)
    urban_share: Probability | None = None
    county_codes: list[Annotated[int, Field(ge=110000, le=999999)]] = Field(
        default_factory=list, max_length=MAX_ITEMS)


@dataclass(frozen=True)
class SchemeRules:
    """What an identity scheme asks of the region table (its draws live in
    ``population/schemes.py``, which must register the same names)."""

    #: the range of a region's ID code, or None when the scheme's IDs carry no region code
    region_codes: tuple[int, int] | None
    #: whether named cities need county-level codes (the IDs carry a county address)
    county_codes: bool
    description: str


#: the identity schemes a population can use, and what each needs from the region table
IDENTITY_SCHEMES: dict[str, SchemeRules] = {
    "china": SchemeRules((11, 99), True, "Chinese surnames and given names, 18-character "
                         "resident IDs (GB 11643-1999) with province and county codes"),
    "united-states": SchemeRules(None, False, "US Census surnames and first names; no "
                                 "national ID number"),
    "none": SchemeRules(None, False, "synthetic name labels with a Zipf frequency table; no "
                        "national ID number"),
}
IdentitySchemeName = Literal["china", "united-states", "none"]


class IdentitySpec(Strict):
    """Which country's names and ID format the persons get (default ``china``)."""

    scheme: IdentitySchemeName = "china"


class AgeBand(Strict):
    low: int = Field(ge=0, le=120)
    high: int = Field(ge=1, le=121)  # exclusive
    share: Probability


class IncomeSpec(Strict):
    """Yearly income, lognormal: median, log-sd, and how much more the urban median is."""

    median: float = Field(gt=0, le=1e12)
    sigma: float = Field(ge=0, le=10)
    urban_multiplier: float = Field(gt=0, le=100)


class ActivismSpec(Strict):
    """Latent activism in [0, 1], Beta(a, b)."""

    a: float = Field(gt=0, le=1e6)
    b: float = Field(gt=0, le=1e6)


#: a person's province is stored in a byte
MAX_REGIONS = 255


class PopulationSpec(Strict):
    """Who lives where, and how persons are drawn.

    The regions come either from ``provinces`` (a mapping of name to region, China's form) or
    from ``regions`` (a list of rows, or in a file a CSV table the loader reads); one of the
    two. ``identity`` picks the country's names and ID format (default ``china``).
    """

    persons: int = Field(gt=0, le=MAX_PERSONS)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    scale: float | None = Field(default=None, ge=1e-6, le=1e12)
    block_size: int = Field(default=65_536, ge=64, le=1 << 22)
    reference_year: int = Field(default=2022, ge=1950, le=2100)
    adult_age: int = Field(default=18, ge=0, le=120)
    male_share: Probability = 0.5
    urban_share: Probability = 0.5
    minority_share: Probability = 0.0
    borrower_share: Probability = 0.0
    phone_share: Probability = 1.0
    phone_min_age: int = Field(default=12, ge=0, le=120)
    propensity_shape: float = Field(default=1.0, gt=0, le=1e6)
    age_bands: list[AgeBand] = Field(min_length=1, max_length=MAX_ITEMS)
    income: IncomeSpec
    activism: ActivismSpec
    identity: IdentitySpec | None = None
    provinces: dict[str, ProvinceSpec] = Field(default_factory=dict, max_length=MAX_REGIONS)
    regions: list[RegionSpec] | None = Field(default=None, max_length=MAX_REGIONS)
    cities: dict[str, CitySpec] = Field(default_factory=dict, max_length=MAX_ITEMS)

    @property
    def identity_scheme(self) -> str:
        """The identity scheme's name (``china`` unless ``identity`` says otherwise)."""
        return "china" if self.identity is None else self.identity.scheme

    def stream_names(self) -> dict[str, str]:
        return {"population": "population"}

    @field_validator("regions", mode="before")
    @classmethod
    def _regions_are_rows(cls, value: Any) -> Any:
        """A CSV path is read by the loader, relative to the scenario file; a scenario built
        in Python gives the rows."""
        if isinstance(value, str):
            raise ValueError(  # noqa: TRY004
                f"regions {short(value)} names a CSV file: load the scenario with "
                "load_scenario(path) (the path is relative to the scenario file), or give "
                "a list of regions")
        return value

    @model_validator(mode="after")
    def _age_bands_cover(self) -> PopulationSpec:
        total = sum(b.share for b in self.age_bands)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"age_bands shares must add up to 1, not {total:g}")
        for band in self.age_bands:
            if band.high <= band.low:
                raise ValueError(f"age band [{band.low}, {band.high}) is empty")
        return self

    @model_validator(mode="after")
    def _one_region_table(self) -> PopulationSpec:
        """Exactly one of ``provinces`` and ``regions``; the rows become ``provinces`` (by
        name), which is what the rest of the model reads."""
        if self.regions is not None:
            if self.provinces:
                raise ValueError("give population.provinces (a mapping) or population.regions "
                                 "(a list or a CSV file), not both")
            if not self.regions:
                raise ValueError("population.regions is empty: the region table needs at "
                                 "least one row")
            table: dict[str, ProvinceSpec] = {}
            for row in self.regions:
                if row.name in table:
                    raise ValueError(f"population.regions names {short(row.name)} twice")
                table[row.name] = ProvinceSpec(code=row.code, population=row.population,
                                               urban_share=row.urban_share,
                                               minority_share=row.minority_share)
            # the model is frozen; this fills the derived mapping once, while validating
            object.__setattr__(self, "provinces", table)
        elif not self.provinces:
            raise ValueError("give the regions: population.provinces (a mapping of name to "
                             "{code, population, ...}) or population.regions (a list of rows, "
                             "or a CSV file)")
        return self

    @model_validator(mode="after")
    def _scheme_needs(self) -> PopulationSpec:
        """The identity scheme decides whether regions and cities need ID codes."""
        scheme = self.identity_scheme
        rules = IDENTITY_SCHEMES[scheme]
        if rules.region_codes is not None:
            low, high = rules.region_codes
            bad = [n for n, p in self.provinces.items()
                   if p.code is None or not low <= p.code <= high]
            if bad:
                raise ValueError(
                    f"the {scheme} identity scheme needs an ID code from {low} to {high} for "
                    f"every region; missing or out of range for {', '.join(map(short, bad[:5]))}"
                    + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""))
        if rules.county_codes:
            bad = [n for n, c in self.cities.items() if not c.county_codes]
            if bad:
                raise ValueError(f"the {scheme} identity scheme needs county_codes for every "
                                 f"named city; missing for {', '.join(map(short, bad[:5]))}")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The form it was given: ``regions`` rows or the ``provinces`` mapping, not both;
        ``identity`` only when chosen (so scenarios written before it dump unchanged)."""
        data: dict[str, Any] = handler(self)
        if self.regions is not None:
            data.pop("provinces", None)
        else:
            data.pop("regions", None)
        if self.identity is None:
            data.pop("identity", None)
        return data
