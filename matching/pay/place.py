"""The currency a shared symbol ("$", "kr") means where a posting is (`local_currencies`)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..location import us_state

__all__ = ["local_currencies"]

# Places whose own currency is written "$" or "kr", named the way job feeds name them. Only places named
# outright: a province or state abbreviation that is also a US one (WA, CA) or a country code (NL) is left out.
_DOLLAR_PLACES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("CAD", re.compile(
        r"\b(?:canada|ontario|qu[eé]bec|british\s+columbia|alberta|manitoba|saskatchewan|nova\s+scotia|"
        r"new\s+brunswick|newfoundland|prince\s+edward\s+island|yukon|toronto|vancouver|montr[eé]al|ottawa|"
        r"calgary|edmonton|winnipeg|mississauga|brampton|halifax|burnaby|markham|kitchener|gatineau|"
        r"saskatoon)\b|,\s*(?:ON|BC|AB|QC|MB|SK|NS|NB|PE)\b", re.I)),
    ("AUD", re.compile(r"\b(?:australia|sydney|melbourne|brisbane|canberra|adelaide|new\s+south\s+wales|"
                       r"queensland|NSW|QLD)\b", re.I)),
    ("NZD", re.compile(r"\b(?:new\s+zealand|auckland|christchurch)\b", re.I)),
    ("SGD", re.compile(r"\bsingapore\b", re.I)),
    ("HKD", re.compile(r"\bhong\s+kong\b", re.I)),
)  # fmt: skip
_US_RE = re.compile(r"\b(?:US|USA|U\.S\.A?\.?|united\s+states|america)\b", re.I)
_KRONE_PLACES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("SEK", re.compile(r"\b(?:sweden|sverige|stockholm|gothenburg|g[oö]teborg|malm[oö]|uppsala)\b", re.I)),
    ("NOK", re.compile(r"\b(?:norway|norge|oslo|bergen|trondheim|stavanger)\b", re.I)),
    ("DKK", re.compile(r"\b(?:denmark|danmark|copenhagen|k[oø]benhavn|aarhus|odense)\b", re.I)),
)


@lru_cache(maxsize=4096)
def local_currencies(location: str | None) -> dict[str, str]:
    """What "$" and "kr" mean at `location`: {"$": "CAD"} for "Toronto, ON", {} where nothing says.

    A location that also names the US or a US state keeps "$" as US dollars ("Vancouver, WA", "US/Canada").
    """
    if not location:
        return {}
    local: dict[str, str] = {}
    if us_state(location) is None and not _US_RE.search(location):
        for code, place in _DOLLAR_PLACES:
            if place.search(location):
                local["$"] = code
                break
    for code, place in _KRONE_PLACES:
        if place.search(location):
            local["kr"] = code
            break
    return local
