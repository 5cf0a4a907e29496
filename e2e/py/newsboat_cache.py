"""Reads newsboat's cache (SQLite) and prints its items as JSON:
[{feedurl, guid, title, unread}]. Run with /usr/bin/python3."""
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT feedurl, guid, title, unread FROM rss_item ORDER BY id").fetchall()
print(json.dumps([dict(zip(("feedurl", "guid", "title", "unread"), r)) for r in rows]))
