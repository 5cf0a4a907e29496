"""Reads a monthly report's CSV with Python's csv module and its JSON, and
checks that they agree: the required columns are there, every component
has a row per day, and each component's daily rows sum to its month's
figures (within a hundredth of a minute per row, the rounding), and so do
the whole site's rows, whose component is empty. Prints
JSON {"rows": n, "problems": [...]}; exits 1 on any problem."""
import csv
import json
import sys

REQUIRED = ["date", "component", "uptime_percent", "observed_minutes",
            "down_minutes", "partial_minutes", "maintenance_minutes"]
SUMMED = ["observed_minutes", "down_minutes", "partial_minutes",
          "maintenance_minutes", "no_data_minutes"]

problems = []
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        problems.append("missing columns: " + ", ".join(missing))
    rows = list(reader)
with open(sys.argv[2], encoding="utf-8") as f:
    month = json.load(f)

for comp in month["components"] + [dict(month["site"], id="")]:
    mine = [r for r in rows if r.get("component") == comp["id"]]
    if len(mine) != len(comp["days"]):
        problems.append(f"{comp['id']}: {len(mine)} rows, want {len(comp['days'])} (one per day)")
    for r, d in zip(mine, comp["days"]):
        if r.get("date") != d["date"]:
            problems.append(f"{comp['id']}: row dated {r.get('date')}, want {d['date']}")
            break
    for col in SUMMED:
        if col not in (reader.fieldnames or []):
            continue
        try:
            total = sum(float(r[col]) for r in mine)
        except ValueError as e:
            problems.append(f"{comp['id']} {col}: {e}")
            continue
        if abs(total - comp[col]) > 0.01 * max(len(mine), 1) + 1e-9:
            problems.append(f"{comp['id']} {col}: daily rows sum to {total:.2f}, the month says {comp[col]:.2f}")

print(json.dumps({"rows": len(rows), "problems": problems}))
sys.exit(1 if problems or not rows else 0)
