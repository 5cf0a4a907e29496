"""Parses an iCalendar file with python3-icalendar and prints its events as
JSON; exits 1 with the reason when it is not a usable calendar (parse error,
or an event without UID, DTSTART, DTEND or SUMMARY)."""
import json
import sys

from icalendar import Calendar

try:
    with open(sys.argv[1], "rb") as f:
        cal = Calendar.from_ical(f.read())
except Exception as e:  # noqa: BLE001 - any parse failure is the finding
    print(f"parse error: {e}")
    sys.exit(1)
events, problems = [], []
for ev in cal.walk("VEVENT"):
    missing = [k for k in ("UID", "DTSTART", "DTEND", "SUMMARY") if k not in ev]
    if missing:
        problems.append(f"event {ev.get('SUMMARY', '?')!s}: missing {', '.join(missing)}")
    events.append({"uid": str(ev.get("UID", "")), "summary": str(ev.get("SUMMARY", ""))})
print(json.dumps({"events": events, "problems": problems}))
sys.exit(1 if problems or not events else 0)
