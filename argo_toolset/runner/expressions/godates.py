"""Go time layouts (`2006-01-02T15:04:05Z07:00`) and durations (`-24h`), as sprig's date functions use them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# Longest chunks first, as Go's nextStdChunk prefers them; "15" before "1", "2006" before "2".
_CHUNKS = (
    "January", "Jan", "Monday", "Mon", "MST", "2006", "002", "01", "02", "03", "04", "05", "06", "15",
    "Z07:00:00", "-07:00:00", "Z07:00", "-07:00", "Z0700", "-0700", "Z07", "-07",
    "_2", "1", "2", "3", "4", "5", "PM", "pm",
)
_FRACTION = re.compile(r"[.,](0+|9+)(?!\d)")
_DURATION_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _split_layout(layout: str) -> list[tuple[str, str]]:
    """The layout as (kind, text) pairs: kind is `chunk`, `fraction` or `literal`."""
    parts: list[tuple[str, str]] = []
    position = 0
    while position < len(layout):
        fraction = _FRACTION.match(layout, position)
        if fraction:
            parts.append(("fraction", fraction.group(0)))
            position = fraction.end()
            continue
        chunk = next((c for c in _CHUNKS if layout.startswith(c, position)), None)
        if chunk:
            parts.append(("chunk", chunk))
            position += len(chunk)
        else:
            parts.append(("literal", layout[position]))
            position += 1
    return parts


def _offset(moment: datetime, colon: bool, seconds: bool, zulu: bool, hours_only: bool = False) -> str:
    delta = moment.utcoffset() or timedelta(0)
    if zulu and delta == timedelta(0):
        return "Z"
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    if hours_only:
        return f"{sign}{hours:02d}"
    text = f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"
    return text + (f"{':' if colon else ''}{secs:02d}" if seconds else "")


def _format_chunk(chunk: str, moment: datetime) -> str:
    hour12 = moment.hour % 12 or 12
    simple = {
        "January": moment.strftime("%B"), "Jan": moment.strftime("%b"), "Monday": moment.strftime("%A"),
        "Mon": moment.strftime("%a"), "MST": moment.tzname() or "UTC", "2006": f"{moment.year:04d}",
        "06": f"{moment.year % 100:02d}", "002": f"{moment.timetuple().tm_yday:03d}", "01": f"{moment.month:02d}",
        "1": str(moment.month), "02": f"{moment.day:02d}", "2": str(moment.day), "_2": f"{moment.day:2d}",
        "15": f"{moment.hour:02d}", "03": f"{hour12:02d}", "3": str(hour12), "04": f"{moment.minute:02d}",
        "4": str(moment.minute), "05": f"{moment.second:02d}", "5": str(moment.second),
        "PM": "PM" if moment.hour >= 12 else "AM", "pm": "pm" if moment.hour >= 12 else "am",
    }
    if chunk in simple:
        return simple[chunk]
    zulu = chunk.startswith("Z")
    return _offset(moment, colon=":" in chunk, seconds=chunk.count(":") == 2, zulu=zulu,
                   hours_only=chunk in ("Z07", "-07"))


def format_time(layout: str, moment: datetime) -> str:
    """Format like Go's `time.Format(layout)`."""
    out = []
    for kind, text in _split_layout(layout):
        if kind == "literal":
            out.append(text)
        elif kind == "fraction":
            digits = f"{moment.microsecond:06d}000"[: len(text) - 1]
            if text[1] == "9":
                digits = digits.rstrip("0")
                out.append(text[0] + digits if digits else "")
            else:
                out.append(text[0] + digits)
        else:
            out.append(_format_chunk(text, moment))
    return "".join(out)


_PARSE_PATTERNS = {
    "January": r"(?P<month_name>[A-Za-z]+)", "Jan": r"(?P<month_abbr>[A-Za-z]{3})", "Monday": r"[A-Za-z]+",
    "Mon": r"[A-Za-z]{3}", "MST": r"(?P<zone_name>[A-Z]{3,5})", "2006": r"(?P<year>\d{4})",
    "06": r"(?P<year2>\d{2})", "002": r"(?P<yday>\d{3})", "01": r"(?P<month>\d{2})", "1": r"(?P<month>\d{1,2})",
    "02": r"(?P<day>\d{2})", "2": r"(?P<day>\d{1,2})", "_2": r" ?(?P<day>\d{1,2})", "15": r"(?P<hour>\d{1,2})",
    "03": r"(?P<hour12>\d{2})", "3": r"(?P<hour12>\d{1,2})", "04": r"(?P<minute>\d{2})",
    "4": r"(?P<minute>\d{1,2})", "05": r"(?P<second>\d{2})(?P<fraction>[.,]\d+)?",
    "5": r"(?P<second>\d{1,2})(?P<fraction>[.,]\d+)?", "PM": r"(?P<ampm>AM|PM)", "pm": r"(?P<ampm>am|pm)",
    "Z07:00:00": r"(?P<offset>Z|[+-]\d{2}:\d{2}:\d{2})", "-07:00:00": r"(?P<offset>[+-]\d{2}:\d{2}:\d{2})",
    "Z07:00": r"(?P<offset>Z|[+-]\d{2}:\d{2})", "-07:00": r"(?P<offset>[+-]\d{2}:\d{2})",
    "Z0700": r"(?P<offset>Z|[+-]\d{4})", "-0700": r"(?P<offset>[+-]\d{4})", "Z07": r"(?P<offset>Z|[+-]\d{2})",
    "-07": r"(?P<offset>[+-]\d{2})",
}


def _parse_offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes, seconds = int(digits[0:2]), int(digits[2:4] or 0), int(digits[4:6] or 0)
    delta = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    return timezone(-delta if text[0] == "-" else delta)


def parse_time(layout: str, text: str, default_zone: timezone = UTC) -> datetime:
    """Parse like Go's `time.ParseInLocation(layout, text, default_zone)`.

    Raises:
        ValueError: The text does not match the layout.
    """
    pattern, seen = [], set()
    for kind, chunk in _split_layout(layout):
        if kind == "literal":
            pattern.append(re.escape(chunk))
        elif kind == "fraction":
            pattern.append(r"(?P<fraction>[.,]\d+)?" if "fraction" not in seen else r"[.,]\d+")
            seen.add("fraction")
        else:
            piece = _PARSE_PATTERNS[chunk]
            for group in re.findall(r"\?P<(\w+)>", piece):
                if group in seen:  # a repeated field (e.g. two "01"s) matches but is not captured twice
                    piece = piece.replace(f"?P<{group}>", "?:")
                seen.add(group)
            pattern.append(piece)
    match = re.fullmatch("".join(pattern), text)
    if match is None:
        raise ValueError(f"parsing time {text!r} as {layout!r}: cannot parse")
    fields = {key: value for key, value in match.groupdict().items() if value is not None}
    year = int(fields["year"]) if "year" in fields else (2000 + int(fields["year2"]) if "year2" in fields else 0)
    month = int(fields.get("month", 1))
    for key in ("month_name", "month_abbr"):
        if key in fields:
            month = datetime.strptime(fields[key][:3].title(), "%b").month
    hour = int(fields.get("hour", 0))
    if "hour12" in fields:
        hour = int(fields["hour12"]) % 12 + (12 if fields.get("ampm", "").upper() == "PM" else 0)
    fraction = fields.get("fraction", "")
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    zone = _parse_offset(fields["offset"]) if "offset" in fields else default_zone
    moment = datetime(max(year, 1), month, int(fields.get("day", 1)), hour, int(fields.get("minute", 0)),
                      int(fields.get("second", 0)), micro, tzinfo=zone)
    if "yday" in fields:
        moment = moment.replace(month=1, day=1) + timedelta(days=int(fields["yday"]) - 1)
    return moment


def parse_duration(text: str) -> timedelta:
    """Parse like Go's `time.ParseDuration` (`300ms`, `-1.5h`, `2h45m`).

    Raises:
        ValueError: Not a Go duration.
    """
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if body == "0":
        return timedelta(0)
    position, seconds = 0, 0.0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None or match.group(1) in ("", "."):
            raise ValueError(f"time: invalid duration {text!r}")
        seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if not body:
        raise ValueError(f"time: invalid duration {text!r}")
    return timedelta(seconds=sign * seconds)
