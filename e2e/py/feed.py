"""Parses one feed with feedparser, as feed readers do, and prints what it
saw as JSON: bozo (1 when the feed is not well-formed), the version, and
each entry's id and title. Run with /usr/bin/python3 (python3-feedparser)."""
import json
import sys

import feedparser

d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": int(bool(d.bozo)),
    "bozo_exception": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title", ""),
    "entries": [{"id": e.get("id", ""), "title": e.get("title", "")} for e in d.entries],
}))
