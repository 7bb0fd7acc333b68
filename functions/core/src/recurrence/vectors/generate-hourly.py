#!/usr/bin/env python3
"""
Test vectors for FREQ=HOURLY from a second implementation: python-dateutil's rrule (not rrule.js) and
the zoneinfo module with the system tz database (not luxon with Node's ICU copy).

    python3 functions/core/src/recurrence/vectors/generate-hourly.py      # rewrites hourly-vectors.jsonl
    python3 functions/core/src/recurrence/vectors/generate-hourly.py -    # prints it instead

hourly-vectors.test.ts compares our expansion with every vector. The file is JSON Lines: a header object
(provenance), then one vector per line. The test needs no Python: the header records
this script's SHA-256, and the test fails when the script has changed since the file was written
(rerun the command above and commit both).

Each rule is expanded in naive local wall time (RFC 5545 §3.3.10: instances are computed in local time)
and each wall time is mapped to an instant the way functions/core/src/wall-clock.ts `instantOf` does,
which is PEP 495's fold=0:
- a wall time in a spring-forward gap is read with the offset before the gap (02:30 → 03:30 EDT);
- a wall time that occurs twice (fall-back) is the first, on the daylight offset; the repeated hour is
  not expanded a second time (local time has one 01:00).
Then our series semantics, written here independently of the TypeScript:
- the anchor (DTSTART, the task's due) is occurrence 1, and the vector lists what follows it;
- an instance whose instant is not after the previous one is dropped: in a gap, 02:00 (→ 03:00 EDT) and
  03:00 are one instant, and the first wall time (02:00) is kept; COUNT counts what is kept;
- UNTIL without Z is a local wall time, a DATE includes that whole local day (both handed to dateutil),
  and UNTIL with Z is an instant (compared here, after mapping).
"""

import hashlib
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import dateutil
from dateutil.rrule import rrulestr

OUT = Path(__file__).with_name("hourly-vectors.jsonl")
FORMAT = "%Y-%m-%dT%H:%M:%S"


def instant_of(wall: datetime, zone: str) -> datetime:
    """fold=0: the first of two, or the pre-gap offset for a time that does not exist."""
    return wall.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(timezone.utc)


def utc_text(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def expand(rule: str, start: datetime, zone: str, n: int) -> list:
    parts = dict(p.split("=", 1) for p in rule.split(";"))
    count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    until_at = None
    if "UNTIL" in parts:
        until = parts["UNTIL"]
        if until.endswith("Z"):
            until_at = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            del parts["UNTIL"]
        elif "T" not in until:
            parts["UNTIL"] = until + "T235959"
    text = ";".join(f"{k}={v}" for k, v in parts.items())
    walls = rrulestr("RRULE:" + text, dtstart=start)
    limit = n if count is None else min(n, count - 1)
    last = instant_of(start, zone)
    found = []
    for wall in walls:
        if len(found) >= limit:
            break
        at = instant_of(wall, zone)
        if until_at is not None and at > until_at:
            break
        if at <= last:
            continue
        found.append([utc_text(at), wall.strftime(FORMAT)])
        last = at
    return found


# The first wall time each transition skips (spring-forward) or repeats (fall-back), local.
TRANSITIONS = {
    "America/New_York": [("gap", "2024-03-10T02:00"), ("overlap", "2024-11-03T01:00")],
    "Europe/London": [("gap", "2024-03-31T01:00"), ("overlap", "2024-10-27T01:00")],
    # 30-minute shifts: 02:00–02:29 is skipped in October, 01:30–01:59 repeated in April.
    "Australia/Lord_Howe": [("overlap", "2024-04-07T01:30"), ("gap", "2024-10-06T02:00")],
    # Brazil's last DST (abolished 2019): the gap is midnight (the day starts at 01:00), the overlap
    # the last hour of 16 February.
    "America/Sao_Paulo": [("gap", "2018-11-04T00:00"), ("overlap", "2019-02-16T23:00")],
    # +12:45/+13:45: the shifts are at 02:45 and 03:45 local, off the hour.
    "Pacific/Chatham": [("overlap", "2024-04-07T02:45"), ("gap", "2024-09-29T02:45")],
    # No DST: a plain day, as a control.
    "Asia/Kolkata": [("none", "2024-03-10T02:00")],
}

# (rule, INTERVAL in hours for phasing, how many to list); every one is expanded across every transition.
AROUND_EACH = [
    ("FREQ=HOURLY", 1, 24),
    ("FREQ=HOURLY;INTERVAL=2", 2, 14),
    ("FREQ=HOURLY;INTERVAL=3", 3, 10),
    ("FREQ=HOURLY;INTERVAL=5", 5, 10),
    ("FREQ=HOURLY;INTERVAL=25", 25, 6),
    ("FREQ=HOURLY;BYMINUTE=0,30", 1, 30),
    ("FREQ=HOURLY;BYMINUTE=15,45", 1, 30),
    ("FREQ=HOURLY;BYMINUTE=0,20,40;BYSETPOS=-1", 1, 20),
    ("FREQ=HOURLY;INTERVAL=2;COUNT=8", 2, 20),
]


def at_text(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M")


def vectors() -> list:
    out = []

    def add(name, zone, rule, start, n):
        occurrences = expand(rule, start, zone, n)
        out.append(
            {
                "name": name,
                "zone": zone,
                "rule": rule,
                "start_local": start.strftime(FORMAT),
                "start_at": utc_text(instant_of(start, zone)),
                "n": n,
                "occurrences": occurrences,
            }
        )

    for zone, transitions in TRANSITIONS.items():
        for kind, when in transitions:
            t = at_text(when)
            for rule, step, n in AROUND_EACH:
                # Start on the transition's phase, about 8 hours before it, on the hour and (for Chatham's
                # 02:45) also on its minute.
                hours = step * ((8 + step - 1) // step)
                minutes = {0, t.minute} if "BYMINUTE" not in rule else {0}
                for minute in sorted(minutes):
                    start = (t - timedelta(hours=hours)).replace(minute=minute)
                    add(f"{kind} {when} every {step}h from :{minute:02d}", zone, rule, start, n)
            # Anchored inside the transition itself: a due date in the gap (kept as its wall time, shown
            # as the instant after the gap), or the first of the repeated times.
            add(f"{kind} {when} anchored on it", zone, "FREQ=HOURLY", t, 6)
            add(f"{kind} {when} anchored +30min", zone, "FREQ=HOURLY;INTERVAL=2", t + timedelta(minutes=30), 6)
            # Ends: UNTIL as an instant, a local wall time and a local date, a few hours after the shift.
            day = t.strftime("%Y%m%d")
            later = instant_of(t + timedelta(hours=3), zone).strftime("%Y%m%dT%H%M%SZ")
            for until in (later, f"{day}T050000", day):
                add(f"{kind} {when} UNTIL={until}", zone, f"FREQ=HOURLY;UNTIL={until}", t - timedelta(hours=4), 40)

    # Rules that select hours and days, over several days, in a zone with DST in the window and one without.
    for zone, start in [
        ("America/New_York", "2024-03-08T08:00"),
        ("Europe/London", "2024-10-25T08:00"),
        ("Asia/Kolkata", "2024-03-08T08:00"),
        ("Australia/Lord_Howe", "2024-10-04T07:30"),
    ]:
        s = at_text(start)
        every_hour = ",".join(str(h) for h in range(8, 21))
        for rule, n in [
            (f"FREQ=HOURLY;BYHOUR={every_hour}", 40),
            (f"FREQ=HOURLY;INTERVAL=3;BYHOUR={every_hour}", 20),
            (f"FREQ=HOURLY;INTERVAL=5;BYHOUR={every_hour}", 20),
            ("FREQ=HOURLY;BYHOUR=0,1,2,3,4", 20),
            ("FREQ=HOURLY;INTERVAL=7;BYDAY=MO,WE,FR;BYHOUR=9,10,11,12,13,14,15,16,17", 20),
            ("FREQ=HOURLY;INTERVAL=4;BYDAY=SA,SU", 20),
            ("FREQ=HOURLY;BYMONTHDAY=1,15;BYHOUR=9,21", 8),
            ("FREQ=HOURLY;INTERVAL=6;BYMONTH=2;BYMONTHDAY=29", 8),
            ("FREQ=HOURLY;INTERVAL=5;BYMONTH=2;BYMONTHDAY=29", 8),
            ("FREQ=HOURLY;INTERVAL=2;BYMINUTE=0,30;BYSETPOS=1,-1;BYDAY=TU,TH", 20),
        ]:
            add(f"selection from {start}", zone, rule, s, n)
    return out


def main() -> None:
    found = vectors()
    head = {
        "generator": "functions/core/src/recurrence/vectors/generate-hourly.py",
        "generator_sha256": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "dateutil": dateutil.__version__,
    }
    text = "".join(json.dumps(v, separators=(",", ":")) + "\n" for v in [head, *found])
    if sys.argv[1:] == ["-"]:
        sys.stdout.write(text)
    else:
        OUT.write_text(text)
        print(f"wrote {len(found)} vectors to {OUT}")


if __name__ == "__main__":
    main()
