"""Estimative-probability scales as data: words analysts use, and the numbers they stand for.

Source: ../shared/REFERENCE.md section 2 (ICD 203, 2015). The end bands are widened to 0 and 1 so
every probability has a word; the published ranges (1-5%, 95-99%) are kept in `published`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    term: str
    low: float
    high: float
    published: tuple[float, float]


@dataclass(frozen=True)
class Scale:
    name: str
    title: str
    bands: tuple[Band, ...]

    def band_of(self, p: float) -> Band:
        """The band a probability falls in; a boundary value goes to the lower band's upper edge."""
        for band in self.bands:
            if p <= band.high + 1e-12:
                return band
        return self.bands[-1]

    def term(self, p: float) -> str:
        return self.band_of(p).term

    def band(self, term: str) -> Band:
        wanted = term.strip().lower().replace("_", " ")
        for band in self.bands:
            if band.term == wanted:
                return band
        raise KeyError(term)

    @property
    def terms(self) -> list[str]:
        return [band.term for band in self.bands]


def _icd203(terms: list[str], name: str, title: str) -> Scale:
    published = [(0.01, 0.05), (0.05, 0.20), (0.20, 0.45), (0.45, 0.55), (0.55, 0.80), (0.80, 0.95), (0.95, 0.99)]
    bands = []
    for i, (term, (lo, hi)) in enumerate(zip(terms, published)):
        low = 0.0 if i == 0 else lo
        high = 1.0 if i == len(published) - 1 else hi
        bands.append(Band(term, low, high, (lo, hi)))
    return Scale(name, title, tuple(bands))


ICD203 = _icd203(
    ["almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely", "very likely", "almost certain"],
    "icd203", "ICD 203 (likelihood wording)",
)
ICD203_PROBABILITY = _icd203(
    ["remote", "highly improbable", "improbable", "roughly even odds", "probable", "highly probable", "nearly certain"],
    "icd203-probability", "ICD 203 (probability wording)",
)

SCALES = {scale.name: scale for scale in (ICD203, ICD203_PROBABILITY)}
DEFAULT_SCALE = ICD203.name


def get_scale(name: str) -> Scale:
    return SCALES[name]


def describe(p: float, scale: Scale = ICD203) -> str:
    """Words and number together ("likely (62%)"): readers misread words alone (REFERENCE.md s.2)."""
    return f"{scale.term(p)} ({p:.0%})"
