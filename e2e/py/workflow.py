"""Reads a GitHub Actions workflow with PyYAML and prints its schedule and
steps as JSON: {"crons": [...], "steps": [{"uses"|"run": ...}]}. YAML 1.1
reads the key `on` as true, so both are looked up. Run with /usr/bin/python3
(python3-yaml)."""
import json
import sys

import yaml

with open(sys.argv[1]) as f:
    wf = yaml.safe_load(f)
on = wf.get("on", wf.get(True)) or {}
crons = [s.get("cron", "") for s in (on.get("schedule") or [])] if isinstance(on, dict) else []
steps = []
for job in (wf.get("jobs") or {}).values():
    for step in job.get("steps") or []:
        steps.append({k: step[k] for k in ("uses", "run") if k in step})
print(json.dumps({"crons": crons, "steps": steps}))
