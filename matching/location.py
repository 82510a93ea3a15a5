"""Where a posting is: US state and region, or clearly outside the US (free-text locations)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["US_REGIONS", "outside_us", "us_state"]

_STATES = {
    "AL": "alabama", "AK": "alaska", "AZ": "arizona", "AR": "arkansas", "CA": "california",
    "CO": "colorado", "CT": "connecticut", "DE": "delaware", "FL": "florida", "GA": "georgia",
    "HI": "hawaii", "ID": "idaho", "IL": "illinois", "IN": "indiana", "IA": "iowa", "KS": "kansas",
    "KY": "kentucky", "LA": "louisiana", "ME": "maine", "MD": "maryland", "MA": "massachusetts",
    "MI": "michigan", "MN": "minnesota", "MS": "mississippi", "MO": "missouri", "MT": "montana",
    "NE": "nebraska", "NV": "nevada", "NH": "new hampshire", "NJ": "new jersey", "NM": "new mexico",
    "NY": "new york", "NC": "north carolina", "ND": "north dakota", "OH": "ohio", "OK": "oklahoma",
    "OR": "oregon", "PA": "pennsylvania", "RI": "rhode island", "SC": "south carolina",
    "SD": "south dakota", "TN": "tennessee", "TX": "texas", "UT": "utah", "VT": "vermont",
    "VA": "virginia", "WA": "washington", "WV": "west virginia", "WI": "wisconsin", "WY": "wyoming",
    "DC": "district of columbia",
}  # fmt: skip

# Census-style regions, named the way salary guides name them.
US_REGIONS: dict[str, frozenset[str]] = {
    "west coast": frozenset({"CA", "OR", "WA"}),
    "east coast": frozenset({"ME", "NH", "MA", "RI", "CT", "NY", "NJ", "PA", "DE", "MD", "DC", "VA"}),
    "midwest": frozenset({"OH", "MI", "IN", "IL", "WI", "MN", "IA", "MO", "ND", "SD", "NE", "KS"}),
    "south": frozenset({"NC", "SC", "GA", "FL", "AL", "MS", "TN", "KY", "WV", "AR", "LA", "OK", "TX"}),
}

_US_CITIES = {
    "san francisco": "CA", "bay area": "CA", "silicon valley": "CA", "los angeles": "CA",
    "san jose": "CA", "seattle": "WA", "new york": "NY", "nyc": "NY", "boston": "MA",
    "chicago": "IL", "austin": "TX", "atlanta": "GA", "denver": "CO", "washington, dc": "DC",
}  # fmt: skip

_STATE_CODE = re.compile(r"(?:,|\s-)\s*([A-Z]{2})\b")
_US_WORDS = re.compile(r"\b(?:united states|u\.s\.a?\.?|usa|us|america)\b", re.IGNORECASE)

# Countries and large cities outside the US that job feeds commonly name.
_ABROAD = re.compile(
    r"\b(?:canada|ontario|quebec|british columbia|alberta|toronto|vancouver|montreal|ottawa|"
    r"mexico|brazil|brasil|s[aã]o paulo|argentina|buenos aires|chile|colombia|bogot[aá]|peru|uruguay|"
    r"montevideo|united kingdom|england|scotland|london|manchester|ireland|dublin, ireland|germany|"
    r"deutschland|berlin|munich|hamburg|france|paris|lyon|spain|madrid|barcelona|portugal|lisbon|porto|"
    r"italy|milan|netherlands|amsterdam|belgium|switzerland|zurich|austria|vienna|poland|warsaw|"
    r"krak[oó]w|romania|hungary|greece|t[uü]rkiye|turkey|istanbul|sweden|stockholm|norway|denmark|"
    r"finland|estonia|ukraine|israel|tel aviv|india|bangalore|bengaluru|hyderabad|mumbai|pune|delhi|"
    r"chennai|pakistan|philippines|manila|singapore|japan|tokyo|china|shanghai|beijing|hong kong|"
    r"taiwan|korea|seoul|vietnam|indonesia|malaysia|thailand|australia|sydney|melbourne|"
    r"new zealand|south africa|nigeria|kenya|egypt|uae|dubai|emea|apac|latam|europe)\b",
    re.IGNORECASE,
)


# Feeds repeat a few hundred location strings: remember the answers.
@lru_cache(maxsize=4096)
def us_state(location: str | None) -> str | None:
    """Two-letter US state code a location names ("Austin, TX", "Seattle", "Remote - New York"), or None."""
    if not location:
        return None
    for code in _STATE_CODE.findall(location):
        if code in _STATES:
            return str(code)
    lowered = location.lower()
    for city, code in _US_CITIES.items():
        if city in lowered:
            return code
    for code, name in _STATES.items():
        if re.search(rf"\b{name}\b", lowered) and not (code == "WA" and "washington, dc" in lowered):
            return code
    return None


@lru_cache(maxsize=4096)
def outside_us(location: str | None) -> bool:
    """True only when the location clearly names a place outside the US and no US place."""
    if not location:
        return False
    if us_state(location) is not None or _US_WORDS.search(location):
        return False
    return _ABROAD.search(location) is not None
