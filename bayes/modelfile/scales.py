"""Estimative-probability scales as data: words analysts use, and the numbers they stand for.

Source (docs/methods.md#estimative-scales): ICD 203 (2015, two parallel wordings) and the UK PHIA
"Probability Yardstick" (2019). ICD 203's end bands are widened to 0 and 1 so every probability has a
word (the published 1-5% and 95-99% are kept in `published`). The PHIA yardstick has deliberate gaps;
a number in a gap has no single term, and `term()` says so instead of picking a side.
"""

from __future__ import annotations

from dataclasses import dataclass


EDGE_ZONE = 0.005  # within half a point of a band edge, a probability is printed to a tenth of a percent


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
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, term), e.g. PHIA's "probably" for "likely"

    def band_of(self, p: float) -> Band | None:
        """The band a probability falls in (None in a gap); a shared edge goes to the lower band."""
        for band in self.bands:
            if band.low - 1e-12 <= p <= band.high + 1e-12:
                return band
        return None

    def near_edge(self, p: float) -> bool:
        """Whether p lies within half a point of one of the scale's band edges (inside 0 and 1)."""
        return any(abs(p - edge) < EDGE_ZONE for band in self.bands for edge in (band.low, band.high)
                   if 0.0 < edge < 1.0)

    def printed(self, p: float) -> float:
        """The probability as it is printed (`percent_text` with this scale): to a whole percent, or to a tenth
        of one within half a point of a band edge, where a whole percent could put it on the other side."""
        return round(p, 3) if self.near_edge(p) else round(p, 2)

    def term(self, p: float) -> str:
        """The word for p, read from p as printed (`printed`): the word and the number shown never disagree."""
        if p != p:  # NaN: no word
            return "no answer"
        p = self.printed(p)
        band = self.band_of(p)
        if band is not None:
            return band.term
        below, above = self.gap(p)
        return f"between {below.term} and {above.term}"

    def gap(self, p: float) -> tuple[Band, Band] | None:
        """The bands either side of p when p falls in one of the scale's deliberate gaps."""
        if self.band_of(p) is not None:
            return None
        below = max((b for b in self.bands if b.high < p), key=lambda b: b.high)
        above = min((b for b in self.bands if b.low > p), key=lambda b: b.low)
        return below, above

    def band(self, term: str) -> Band:
        wanted = " ".join(term.strip().lower().replace("_", " ").split())
        wanted = dict(self.aliases).get(wanted, wanted)
        for band in self.bands:
            if band.term == wanted:
                return band
        raise KeyError(term)

    def is_term(self, text: str) -> bool:
        try:
            self.band(text)
            return True
        except KeyError:
            return False

    @property
    def terms(self) -> list[str]:
        return [band.term for band in self.bands]

    def one_sided(self, text: str) -> tuple[float, float] | None:
        """The range an open phrase stands for, or None if `text` is not one: "at most unlikely" (0 to the
        band's top), "at least likely" (the band's foot to 1), "below likely" / "above likely" (outside the
        band), "no more than 30%", "below 45%", "above 0.55" (every bound inclusive). For a source's
        "unlikely" that means "low", not 20-45% (docs/model-file.md#one-sided-bands)."""
        words = " ".join(str(text).strip().lower().split())
        for prefix, side, outside in _OPEN_PREFIXES:
            if words.startswith(prefix + " "):
                rest = words[len(prefix) + 1:]
                break
        else:
            return None
        if self.is_term(rest):
            band = self.band(rest)
            bound = (band.low if side == "upper" else band.high) if outside else (
                band.high if side == "upper" else band.low)
        else:
            bound = _plain_probability(rest)
            if bound is None:
                return None
        return (0.0, bound) if side == "upper" else (bound, 1.0)


# phrase, which side it bounds, whether the bound is the far edge of a named band ("below likely": under it)
_OPEN_PREFIXES = (("at most", "upper", False), ("no more than", "upper", False), ("below", "upper", True),
                  ("under", "upper", True), ("less than", "upper", True), ("at least", "lower", False),
                  ("no less than", "lower", False), ("above", "lower", True), ("over", "lower", True),
                  ("more than", "lower", True))


def _plain_probability(text: str) -> float | None:
    """0.3 or 30% as a probability; None for anything else (or outside 0-1)."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def _icd203(terms: list[str], name: str, title: str) -> Scale:  # pragma: no mutate block
    # runs once, at import, before a mutant can be switched on; tests/test_oracles.py pins every band edge
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

PHIA = Scale("phia", "PHIA yardstick", tuple(Band(t, lo, hi, (lo, hi)) for t, lo, hi in [
    ("remote chance", 0.0, 0.05), ("highly unlikely", 0.10, 0.20), ("unlikely", 0.25, 0.35),
    ("realistic possibility", 0.40, 0.50), ("likely", 0.55, 0.75), ("highly likely", 0.80, 0.90),
    ("almost certain", 0.95, 1.0),
]), aliases=(("probably", "likely"), ("probable", "likely")))

SCALES = {scale.name: scale for scale in (ICD203, ICD203_PROBABILITY, PHIA)}
DEFAULT_SCALE = ICD203.name


def get_scale(name: str) -> Scale:
    return SCALES[name]


def describe(p: float, scale: Scale = ICD203, low: float | None = None, high: float | None = None) -> str:
    """Words and numbers together, everywhere a probability is shown: "likely (62%; 90% interval 48-75%)".

    Readers misread words alone; a bracketed number doubles agreement with the standard (docs/methods.md#estimative-scales).
    """
    text = f"{scale.term(p)} ({percent_text(p, scale=scale)}"
    if low is not None and high is not None:
        text += f"; 90% interval {percent_text(low, sign=False, scale=scale)}-{percent_text(high, scale=scale)}"
    return text + ")"


def percent_text(p: float, sign: bool = True, scale: Scale | None = None) -> str:
    """Whole percent, but never '0%' or '100%' for a probability that is not exactly 0 or 1; with a scale,
    to a tenth of a percent within half a point of one of its band edges (19.6%, not 20%, below 'unlikely')."""
    if scale is not None and scale.near_edge(p):
        return f"{scale.printed(p) * 100:.1f}" + ("%" if sign else "")
    text = f"{p * 100:.0f}"
    if text == "0" and p > 0:
        text = "<1"
    elif text == "100" and p < 1:
        text = ">99"
    return text + ("%" if sign else "")
