"""Pay from a feed's structured salary object (`parse_structured_pay`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from .stated import PERIODS, SYMBOLS, PayError, PayZone, StatedPay, infer_period

__all__ = ["parse_structured_pay"]

_MIN_KEYS = ("min", "minValue", "min_value", "minimum", "low")
_MAX_KEYS = ("max", "maxValue", "max_value", "maximum", "high")
_CURRENCY_KEYS = ("currency", "currencyCode", "currency_code")
_PERIOD_KEYS = ("period", "unit", "unitText", "unit_text", "interval")
_PERIOD_NAMES: dict[str, str] = {
    "hour": "hour", "hourly": "hour", "hr": "hour", "h": "hour",
    "day": "day", "daily": "day", "d": "day",
    "week": "week", "weekly": "week", "wk": "week", "w": "week",
    "month": "month", "monthly": "month", "mo": "month", "mth": "month",
    "year": "year", "yearly": "year", "annual": "year", "annually": "year", "annum": "year", "yr": "year",
}  # fmt: skip


def parse_structured_pay(salary: Mapping[str, object], *, posting_id: str) -> StatedPay:
    """Pay from a feed's salary object: {"min": 120000, "max": 150000, "currency": "USD", "period": "year"}.

    Accepts the aliases minValue/maxValue, unit/unitText/interval ("YEAR", "per-year-salary") and a
    schema.org `value` (a number, or a mapping holding minValue/maxValue/unitText). Numbers may be int,
    float or numeric strings. With no period, the magnitude rule of `parse_pay_text` applies.
    `zones` (optional) lists the ranges min-max spans: [{"label": "Zone 1", "min": ..., "max": ...}], each
    with its own `currency` and `period` when they differ; those in this pay's currency and period become
    `StatedPay.zones` (a zone in another currency is no zone of this range).
    Raises PayError, naming the posting and the field, for a wrong type, a negative or non-finite number,
    an unknown period or currency, min above max, or no amount at all.
    """
    if not isinstance(salary, Mapping):
        raise PayError(f"posting {posting_id}: salary: expected a mapping, got {type(salary).__name__}")
    fields = dict(salary)
    nested = fields.get("value")
    if isinstance(nested, Mapping):
        fields = {**{k: v for k, v in fields.items() if k != "value"}, **nested}
    single = None if isinstance(nested, Mapping) else _number(fields, ("value",), posting_id)
    low = _number(fields, _MIN_KEYS, posting_id)
    high = _number(fields, _MAX_KEYS, posting_id)
    if low is None and high is None:
        low = high = single
    if low is None and high is None:
        raise PayError(f"posting {posting_id}: salary: no amount (min, max or value)")
    if low is not None and high is not None and low > high:
        raise PayError(f"posting {posting_id}: salary.max: {high:g} is below the minimum {low:g}")
    currency = _structured_currency(fields, posting_id)
    period = _structured_period(fields, posting_id)
    if period is None:
        period = infer_period(max(f for f in (low, high) if f is not None), currency)
    zones = _zones(fields.get("zones"), currency, period, posting_id)
    text = ", ".join(f"{key}={value}" for key, value in salary.items() if key != "zones")
    return StatedPay(low=low, high=high, currency=currency, period=period, text=text, zones=zones)


def _zones(value: object, currency: str | None, period: str, posting_id: str) -> tuple[PayZone, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise PayError(f"posting {posting_id}: salary.zones: expected a list, got {type(value).__name__}")
    zones: list[PayZone] = []
    for index, zone in enumerate(value):
        where = f"zones[{index}]"
        if not isinstance(zone, Mapping):
            raise PayError(f"posting {posting_id}: salary.{where}: expected a mapping, got {type(zone).__name__}")
        label = zone.get("label")
        if label is not None and not isinstance(label, str):
            raise PayError(f"posting {posting_id}: salary.{where}.label: expected a string, got {label!r}")
        fields = dict(zone)
        if _structured_currency(fields, f"{posting_id} ({where})") not in (None, currency):
            continue
        if _structured_period(fields, f"{posting_id} ({where})") not in (None, period):
            continue
        low = _number(fields, _MIN_KEYS, f"{posting_id} ({where})")
        high = _number(fields, _MAX_KEYS, f"{posting_id} ({where})")
        zones.append(PayZone(label=(label or "").strip(), low=low, high=high))
    return tuple(zones) if len(zones) > 1 else ()


def _field(fields: Mapping[str, object], keys: tuple[str, ...]) -> tuple[str, object]:
    for key in keys:
        if fields.get(key) is not None:
            return key, fields[key]
    return keys[0], None


def _number(fields: Mapping[str, object], keys: tuple[str, ...], posting_id: str) -> float | None:
    key, value = _field(fields, keys)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(re.sub(r"[\s,_]", "", value))
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise PayError(f"posting {posting_id}: salary.{key}: expected a non-negative number, got {value!r}")
    return number


def _structured_currency(fields: Mapping[str, object], posting_id: str) -> str | None:
    key, value = _field(fields, _CURRENCY_KEYS)
    if value is None:
        return None
    code = value.strip().upper() if isinstance(value, str) else None
    code = {"$": "USD", **SYMBOLS}.get(code or "", code)
    if code is None or not re.fullmatch(r"[A-Z]{3}", code):
        raise PayError(f"posting {posting_id}: salary.{key}: expected an ISO 4217 code, got {value!r}")
    return code


def _structured_period(fields: Mapping[str, object], posting_id: str) -> str | None:
    key, value = _field(fields, _PERIOD_KEYS)
    if value is None:
        return None
    name = re.sub(r"[^a-z]", "", value.lower()) if isinstance(value, str) else ""
    name = name.removeprefix("per").removesuffix("salary").removesuffix("wage").removesuffix("rate")
    if name not in _PERIOD_NAMES:
        raise PayError(f"posting {posting_id}: salary.{key}: expected one of {', '.join(PERIODS)}, got {value!r}")
    return _PERIOD_NAMES[name]
