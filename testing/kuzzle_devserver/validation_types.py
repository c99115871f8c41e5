"""Field types of Kuzzle's validation specifications (kuzzle ``lib/core/validation/types/*``).

Each type checks its ``typeOptions`` when a specification is stored (``check_options``,
Kuzzle's ``validateFieldSpecification``, raising Kuzzle's errors) and a value when a
document is validated (``validate``, appending Kuzzle's messages to ``errors``).

Approximations, listed in the README: ``email``/``url`` use simpler patterns than the
``validator`` package; ``date`` formats are matched with patterns derived from their
moment.js format strings (strict ones in full, lenient ones as a prefix), the week-based
formats (``gggg``, ``ww``, ``e``) check digits only; ``geo_point`` accepts the Koncorde
forms (``{lat, lon}``, ``{lat_lon}``, ``"lat,lon"``, ``[lat, lon]``, geohash strings);
``geo_shape`` checks the shape ``type`` and that ``coordinates``/``geometries`` are present.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import kerror

Options = dict[str, Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_allowed(value: Any, allowed: list[str]) -> bool:
    return isinstance(value, dict) and all(key in allowed for key in value)


@dataclass
class FieldType:
    """The ``anything`` type, and the base of the others."""

    name: str = "anything"
    allow_children: bool = False
    allowed_options: list[str] = field(default_factory=list)

    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        return True

    def check_options(self, options: Options) -> Options:
        return options

    def strictness(self, options: Options, parent: bool) -> bool:
        return parent


class BooleanType(FieldType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        if not isinstance(value, bool):
            errors.append("The field must be of type boolean.")
            return False
        return True


class NumericType(FieldType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        if not _is_number(value):
            errors.append("The field must be a number.")
            return False
        bounds = options.get("range") or {}
        if "min" in bounds and value < bounds["min"]:
            errors.append(f"Value {_js(value)} is lesser than the allowed minimum ({_js(bounds['min'])})")
            return False
        if "max" in bounds and value > bounds["max"]:
            errors.append(f"Value {_js(value)} is greater than the allowed maximum ({_js(bounds['max'])})")
            return False
        return True

    def check_options(self, options: Options) -> Options:
        _check_bounds(options, "range")
        return options


class IntegerType(NumericType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        if not super().validate(options, value, errors):
            return False
        if not (isinstance(value, int) or (isinstance(value, float) and value.is_integer())):
            errors.append("The field must be an integer.")
            return False
        return True


def _js(value: Any) -> str:
    """A number as JavaScript prints it (``1.0`` is ``1``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_bounds(options: Options, name: str) -> None:
    """``range``/``length``: only min/max, numbers, min <= max."""
    if name not in options:
        return
    bounds = options[name]
    if not _check_allowed(bounds, ["min", "max"]):
        raise kerror("validation.assert.unexpected_properties", name, "min, max")
    for prop in ("min", "max"):
        if prop in bounds and not _is_number(bounds[prop]):
            raise kerror("validation.assert.invalid_type", f"{name}.{prop}", "number")
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        raise kerror("validation.assert.invalid_range", name, "min", "max")


class StringType(FieldType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        if not isinstance(value, str):
            errors.append("The field must be a string.")
            return False
        length = options.get("length")
        if not length:
            return True
        size = len(value.encode("utf-16-le")) // 2  # JavaScript counts UTF-16 code units
        if "min" in length and size < length["min"]:
            errors.append(
                f'Invalid string length. Expected min: {_js(length["min"])}. Received: {size} ("{value}")'
            )
            return False
        if "max" in length and size > length["max"]:
            errors.append(
                f'Invalid string length. Expected max: {_js(length["max"])}. Received: {size} ("{value}")'
            )
            return False
        return True

    def check_options(self, options: Options) -> Options:
        _check_bounds(options, "length")
        return options


class _PatternType(FieldType):
    """``email``, ``url``, ``ip_address``: a string, maybe empty, that must match."""

    message = ""
    null_allowed = False  # email alone accepts null/undefined values (unless notEmpty)

    def matches(self, value: str) -> bool:
        raise NotImplementedError

    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        if value is None and self.null_allowed:
            if options.get("notEmpty"):
                errors.append("Field cannot be undefined or null")
                return False
            return True
        if not isinstance(value, str):
            errors.append("The field must be a string.")
            return False
        if not value:
            if options.get("notEmpty"):
                errors.append("The string must not be empty.")
                return False
            return True
        if not self.matches(value):
            errors.append(self.message)
            return False
        return True

    def check_options(self, options: Options) -> Options:
        if "notEmpty" not in options:
            options["notEmpty"] = False
        elif not isinstance(options["notEmpty"], bool):
            raise kerror("validation.assert.invalid_type", "notEmpty", "boolean")
        return options


_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_URL = re.compile(
    r"^((https?|ftp)://)?([^\s:@/]+(:[^\s@/]*)?@)?"
    r"(localhost|(\d{1,3}\.){3}\d{1,3}|([A-Za-z0-9\u00a1-\uffff]([A-Za-z0-9\u00a1-\uffff-]{0,62})?\.)+"
    r"[A-Za-z\u00a1-\uffff]{2,})(:\d{1,5})?([/?#]\S*)?$"
)


class EmailType(_PatternType):
    message = "The string must be a valid email address."
    null_allowed = True

    def matches(self, value: str) -> bool:
        return bool(_EMAIL.match(value))


class UrlType(_PatternType):
    message = "The string must be a valid URL."

    def matches(self, value: str) -> bool:
        return bool(_URL.match(value))


class IpAddressType(_PatternType):
    message = "The string must be a valid IP address."

    def matches(self, value: str) -> bool:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True


class EnumType(FieldType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        if not isinstance(value, str):
            errors.append("The field must be a string.")
            return False
        if value not in options["values"]:
            errors.append(f'The field only accepts following values: "{", ".join(options["values"])}".')
            return False
        return True

    def check_options(self, options: Options) -> Options:
        if "values" not in options:
            raise kerror("validation.types.missing_enum_values")
        values = options["values"]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise kerror("validation.assert.invalid_type", "values", "string[]")
        return options


class ObjectType(FieldType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        if not isinstance(value, dict):
            errors.append("The value must be an object.")
            return False
        return True

    def check_options(self, options: Options) -> Options:
        if "strict" in options and not isinstance(options["strict"], bool):
            raise kerror("validation.assert.invalid_type", "strict", "boolean")
        return options

    def strictness(self, options: Options, parent: bool) -> bool:
        return bool(options["strict"]) if "strict" in options else parent


# -- dates ---------------------------------------------------------------------------------

# moment.js tokens of the formats below, as regex groups.
_TOKENS = [
    ("YYYY", r"(?P<Y>\d{4})"),
    ("gggg", r"\d{4}"),
    ("SSS", r"(?P<S>\d{1,9})"),
    ("DDD", r"(?P<DDD>\d{3})"),
    ("MM", r"(?P<M>\d{2})"),
    ("DD", r"(?P<D>\d{2})"),
    ("HH", r"(?P<H>\d{2})"),
    ("mm", r"(?P<m>\d{2})"),
    ("ss", r"(?P<s>\d{2})"),
    ("ww", r"\d{2}"),
    ("ZZ", r"(?P<Z>Z|[+-]\d{2}:?\d{2})"),
    ("Z", r"(?P<Z>Z|[+-]\d{2}:?\d{2})"),
    ("e", r"\d"),
]

_FORMATS: dict[str, tuple[str, bool]] = {
    "basic_date": ("YYYYMMDD", True),
    "basic_date_time": ("YYYYMMDD\\THHmmss.SSSZ", True),
    "basic_date_time_no_millis": ("YYYYMMDD\\THHmmssZ", True),
    "basic_ordinal_date": ("YYYYDDD", True),
    "basic_ordinal_date_time": ("YYYYDDD\\THHmmss.SSSZ", True),
    "basic_ordinal_date_time_no_millis": ("YYYYDDD\\THHmmssZ", True),
    "basic_t_time": ("\\THHmmss.SSSZ", True),
    "basic_t_time_no_millis": ("\\THHmmssZ", True),
    "basic_time": ("HHmmss.SSSZ", True),
    "basic_time_no_millis": ("HHmmssZ", True),
    "basic_week_date": ("gggg\\Wwwe", False),
    "basic_week_date_time": ("gggg\\Wwwe\\THHmmss.SSSZ", False),
    "basic_week_date_time_no_millis": ("gggg\\Wwwe\\THHmmssZ", False),
    "date": ("YYYY-MM-DD", False),
    "date_hour": ("YYYY-MM-DD\\THH", False),
    "date_hour_minute": ("YYYY-MM-DD\\THH:mm", False),
    "date_hour_minute_second": ("YYYY-MM-DD\\THH:mm:ss", False),
    "date_hour_minute_second_fraction": ("YYYY-MM-DD\\THH:mm:ss.SSS", False),
    "date_hour_minute_second_millis": ("YYYY-MM-DD\\THH:mm:ss.SSS", False),
    "date_time": ("YYYY-MM-DD\\THH:mm:ss.SSSZZ", False),
    "date_time_no_millis": ("YYYY-MM-DD\\THH:mm:ssZZ", False),
    "hour": ("HH", False),
    "hour_minute": ("HH:mm", False),
    "hour_minute_second": ("HH:mm:ss", False),
    "hour_minute_second_fraction": ("HH:mm:ss.SSS", False),
    "hour_minute_second_millis": ("HH:mm:ss.SSS", False),
    "ordinal_date": ("YYYY-DDD", False),
    "ordinal_date_time": ("YYYY-DDD\\THH:mm:ss.SSSZZ", False),
    "ordinal_date_time_no_millis": ("YYYY-DDD\\THH:mm:ssZZ", False),
    "strict_basic_week_date": ("gggg\\Wwwe", True),
    "strict_basic_week_date_time": ("gggg\\Wwwe\\THHmmss.SSSZ", True),
    "strict_basic_week_date_time_no_millis": ("gggg\\Wwwe\\THHmmssZ", True),
    "strict_date": ("YYYY-MM-DD", True),
    "strict_date_hour": ("YYYY-MM-DD\\THH", True),
    "strict_date_hour_minute": ("YYYY-MM-DD\\THH:mm", True),
    "strict_date_hour_minute_second": ("YYYY-MM-DD\\THH:mm:ss", True),
    "strict_date_hour_minute_second_fraction": ("YYYY-MM-DD\\THH:mm:ss.SSS", True),
    "strict_date_hour_minute_second_millis": ("YYYY-MM-DD\\THH:mm:ss.SSS", True),
    "strict_date_time": ("YYYY-MM-DD\\THH:mm:ss.SSSZZ", True),
    "strict_date_time_no_millis": ("YYYY-MM-DD\\THH:mm:ssZZ", True),
    "strict_hour": ("HH", True),
    "strict_hour_minute": ("HH:mm", True),
    "strict_hour_minute_second": ("HH:mm:ss", True),
    "strict_hour_minute_second_fraction": ("HH:mm:ss.SSS", True),
    "strict_hour_minute_second_millis": ("HH:mm:ss.SSS", True),
    "strict_ordinal_date": ("YYYY-DDD", True),
    "strict_ordinal_date_time": ("YYYY-DDD\\THH:mm:ss.SSSZZ", True),
    "strict_ordinal_date_time_no_millis": ("YYYY-DDD\\THH:mm:ssZZ", True),
    "strict_t_time": ("\\THH:mm:ss.SSSZZ", True),
    "strict_t_time_no_millis": ("\\THH:mm:ssZZ", True),
    "strict_time": ("HH:mm:ss.SSSZZ", True),
    "strict_time_no_millis": ("HH:mm:ssZZ", True),
    "strict_week_date": ("gggg-\\Www-e", True),
    "strict_week_date_time": ("gggg-\\Www-e\\THH:mm:ss.SSSZZ", True),
    "strict_week_date_time_no_millis": ("gggg-\\Www-e\\THH:mm:ssZZ", True),
    "strict_weekyear": ("gggg", True),
    "strict_weekyear_week": ("ggggww", True),
    "strict_weekyear_week_day": ("ggggwwe", True),
    "strict_year": ("YYYY", True),
    "strict_year_month": ("YYYYMM", True),
    "strict_year_month_day": ("YYYYMMDD", True),
    "t_time": ("\\THH:mm:ss.SSSZZ", False),
    "t_time_no_millis": ("\\THH:mm:ssZZ", False),
    "time": ("HH:mm:ss.SSSZZ", False),
    "time_no_millis": ("HH:mm:ssZZ", False),
    "week_date": ("gggg-\\Www-e", False),
    "week_date_time": ("gggg-\\Www-e\\THH:mm:ss.SSSZZ", False),
    "week_date_time_no_millis": ("gggg-\\Www-e\\THH:mm:ssZZ", False),
    "weekyear": ("gggg", False),
    "weekyear_week": ("ggggww", False),
    "weekyear_week_day": ("ggggwwe", False),
    "year": ("YYYY", False),
    "year_month": ("YYYYMM", False),
    "year_month_day": ("YYYYMMDD", False),
}
DATE_FORMATS = sorted([*_FORMATS, "epoch_millis", "epoch_second", "strict_date_optional_time"])
_ISO_8601 = re.compile(
    r"^(?P<Y>\d{4})(-(?P<M>\d{2})(-(?P<D>\d{2}))?)?"
    r"([T ](?P<H>\d{2})(:(?P<m>\d{2})(:(?P<s>\d{2})([.,](?P<S>\d{1,9}))?)?)?(?P<Z>Z|[+-]\d{2}(:?\d{2})?)?)?$"
)


def _format_regex(moment_format: str, strict: bool) -> re.Pattern[str]:
    pattern, position = "", 0
    while position < len(moment_format):
        if moment_format[position] == "\\":
            pattern += re.escape(moment_format[position + 1])
            position += 2
            continue
        for token, regex in _TOKENS:
            if moment_format.startswith(token, position):
                pattern += regex
                position += len(token)
                break
        else:
            pattern += re.escape(moment_format[position])
            position += 1
    return re.compile(f"^{pattern}$" if strict else f"^{pattern}")


_PARSERS = {name: _format_regex(fmt, strict) for name, (fmt, strict) in _FORMATS.items()}
_PARSERS["strict_date_optional_time"] = _ISO_8601


def _to_epoch_ms(parts: dict[str, str | None]) -> float | None:
    """Epoch milliseconds of the matched pieces, None when they make no valid date."""
    try:
        year = int(parts.get("Y") or 1970)
        if parts.get("DDD"):
            moment = datetime(year, 1, 1, tzinfo=UTC).toordinal() + int(parts["DDD"] or 1) - 1
            day = datetime.fromordinal(moment)
            month, dom = day.month, day.day
        else:
            month, dom = int(parts.get("M") or 1), int(parts.get("D") or 1)
        fraction = parts.get("S") or "0"
        stamp = datetime(
            year,
            month,
            dom,
            int(parts.get("H") or 0),
            int(parts.get("m") or 0),
            int(parts.get("s") or 0),
            int(fraction.ljust(6, "0")[:6]),
            tzinfo=UTC,
        ).timestamp()
    except ValueError:
        return None
    zone = parts.get("Z")
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        stamp -= sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
    return stamp * 1000


def parse_date(formats: list[str], value: Any) -> float | None:
    """Epoch milliseconds of ``value`` in the first format that parses it."""
    for name in formats:
        if name in ("epoch_millis", "epoch_second"):
            if _is_number(value) and math.isfinite(value):
                return float(value) * (1 if name == "epoch_millis" else 1000)
            continue
        if not isinstance(value, str):
            continue
        matched = _PARSERS[name].match(value)
        if matched is not None:
            stamp = _to_epoch_ms(matched.groupdict())
            if stamp is not None:
                return stamp
    return None


def _range_bound(value: Any) -> float:
    """``convertRangeValue``: ``NOW``, an ISO 8601 string or epoch milliseconds."""
    if value == "NOW":
        return time.time() * 1000
    stamp = parse_date(["strict_date_optional_time"], value) if isinstance(value, str) else None
    if _is_number(value):
        stamp = float(value)
    if stamp is None:
        raise kerror("validation.types.invalid_date", value)
    return stamp


class DateType(FieldType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        stamp = parse_date(options["formats"], value)
        if stamp is None:
            errors.append("The date format is invalid.")
            return False
        bounds = options.get("range")
        if isinstance(bounds, dict):
            if bounds.get("min") and stamp < _range_bound(bounds["min"]):
                errors.append("The provided date is before the defined minimum.")
                return False
            if bounds.get("max") and _range_bound(bounds["max"]) < stamp:
                errors.append("The provided date is after the defined maximum.")
                return False
        return True

    def check_options(self, options: Options) -> Options:
        if "formats" in options:
            formats = options["formats"]
            if not isinstance(formats, list) or not formats:
                raise kerror("validation.assert.invalid_type", "formats", "non-empty array")
            unknown = [str(f) for f in formats if f not in DATE_FORMATS]
            if unknown:
                raise kerror("validation.types.invalid_date_format", ", ".join(unknown))
        else:
            options["formats"] = ["epoch_millis"]
        if "range" in options:
            bounds = options["range"]
            if not _check_allowed(bounds, ["min", "max"]):
                raise kerror("validation.assert.unexpected_properties", "range", "min, max")
            low = _range_bound(bounds["min"]) if "min" in bounds else None
            high = _range_bound(bounds["max"]) if "max" in bounds else None
            if low is not None and high is not None and high < low:
                raise kerror("validation.assert.invalid_range", "range", "min", "max")
        return options


# -- geography -----------------------------------------------------------------------------

_GEOHASH = re.compile(r"^[0-9b-hjkmnp-z]{1,12}$")
_LAT_LON = re.compile(r"^\s*(-?\d+(\.\d+)?)\s*,\s*(-?\d+(\.\d+)?)\s*$")
SHAPE_TYPES = [
    "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
    "geometrycollection", "envelope", "circle",
]  # fmt: skip


def _valid_point(lat: Any, lon: Any) -> bool:
    return _is_number(lat) and _is_number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


class GeoPointType(FieldType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        if not self._point(value):
            errors.append("Invalid GeoPoint format")
            return False
        return True

    @staticmethod
    def _point(value: Any) -> bool:
        if isinstance(value, list):
            return len(value) == 2 and _valid_point(value[0], value[1])
        if isinstance(value, dict):
            if "lat" in value and "lon" in value:
                return _valid_point(value["lat"], value["lon"])
            if "latLon" in value or "lat_lon" in value:
                return GeoPointType._point(value.get("latLon", value.get("lat_lon")))
            return False
        if isinstance(value, str):
            pair = _LAT_LON.match(value)
            if pair is not None:
                return _valid_point(float(pair.group(1)), float(pair.group(3)))
            return bool(_GEOHASH.match(value))
        return False


class GeoShapeType(FieldType):
    def validate(self, options: Options, value: Any, errors: list[str]) -> bool:
        allowed = options.get("shapeTypes") or SHAPE_TYPES
        kind = value.get("type") if isinstance(value, dict) else None
        if not isinstance(kind, str) or kind.lower() not in allowed:
            errors.append(f'Shape type "{kind}" is not allowed')
            return False
        if kind.lower() == "geometrycollection":
            geometries = value.get("geometries")
            if not isinstance(geometries, list):
                errors.append('The shape type "geometrycollection" needs a "geometries" array')
                return False
            return all(self.validate(options, g, errors) for g in geometries)
        if "coordinates" not in value:
            errors.append(f'Missing "coordinates" property in shape of type "{kind}"')
            return False
        return True

    def check_options(self, options: Options) -> Options:
        if "shapeTypes" in options:
            kinds = options["shapeTypes"]
            if not isinstance(kinds, list):
                raise kerror("validation.assert.invalid_type", "shapeTypes", "array")
            unknown = [str(k) for k in kinds if k not in SHAPE_TYPES]
            if unknown:
                raise kerror("validation.types.invalid_geoshape", ", ".join(unknown))
        else:
            options["shapeTypes"] = list(SHAPE_TYPES)
        return options


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType(),
        BooleanType("boolean"),
        DateType("date", allowed_options=["range", "formats"]),
        EmailType("email", allowed_options=["notEmpty"]),
        EnumType("enum", allowed_options=["values"]),
        GeoPointType("geo_point"),
        GeoShapeType("geo_shape", allowed_options=["shapeTypes"]),
        IntegerType("integer", allowed_options=["range"]),
        IpAddressType("ip_address", allowed_options=["notEmpty"]),
        NumericType("numeric", allowed_options=["range"]),
        ObjectType("object", allow_children=True, allowed_options=["strict"]),
        StringType("string", allowed_options=["length"]),
        UrlType("url", allowed_options=["notEmpty"]),
    )
}
