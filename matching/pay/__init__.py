"""Stated pay in job postings: pay tags, structured salary fields and pay sentences, parsed and annualised.

Pure functions, no I/O. Errors::

    PayError(ValueError)  # structured pay of the wrong type or value, an unknown period

How a pay tag is read (`parse_pay_text`):

- The first money figure, joined to the next by "-", "~", "to" ("between ... and ...") is a range.
  A multiplier on the high applies to a bare low: "120-150k" is 120,000-150,000. A "k" on a figure
  already in thousands is a typo and ignored ("$94,000k"). Millions, billions and trillions are never pay.
- "$X+", "from $X", "at least $X" leave `high` None; "up to $X" leaves `low` None; otherwise a single
  figure gives low == high. A "+" on the high of a range is dropped ("$185k - $265k+").
- Currency: an ISO code on a figure ("CAD $153,000", "$2,800 USD") beats a specific symbol
  ("A$", "C$", "€", "£", "₹"), which beats a code elsewhere in the tag, which beats a bare "$" (USD).
  A tag with no marker at all gets `default_currency` (None unless the caller knows the feed).
- Period: words attached to a figure ("/yr", "per hour", "hourly", "p.a.") or found in the tag. With none,
  the largest figure decides, in US-dollar terms (scaled by a rough size of the currency unit, so
  ₹50,000 reads as a month and ₹2,000,000 as a year): under 300 an hour, under 1,000 a day,
  under 20,000 a month, else a year. Weeks are never guessed.

The package, one module per step:

- `stated`: `StatedPay` and `PayError`, periods and annualising, band checks, currency tables.
- `scan`: money figures in text, with their markers, multipliers and periods.
- `figures`: figures joined into ranges and built into pay (`parse_pay_text`).
- `description`: pay sentences in a posting's description (`find_pay_in_text`).
- `structured`: a feed's salary object (`parse_structured_pay`).
- `place`: what a shared symbol ("$", "kr") means where the posting is (`local_currencies`).
"""

from .description import find_pay_in_text
from .figures import parse_pay_text
from .place import local_currencies
from .stated import BASES, PERIOD_FACTORS, PERIODS, PayError, PayZone, StatedPay, annualise, compare_to_band
from .structured import parse_structured_pay

__all__ = [
    "BASES",
    "PERIODS",
    "PERIOD_FACTORS",
    "PayError",
    "PayZone",
    "StatedPay",
    "annualise",
    "compare_to_band",
    "find_pay_in_text",
    "local_currencies",
    "parse_pay_text",
    "parse_structured_pay",
]
