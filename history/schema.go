package history

import (
	"context"
	"fmt"
	"strconv"
)

// The schema; docs/uptime.md "Storage" describes it and changes with it.
// Times are Unix milliseconds, UTC. A series, one component's results from
// one region, is keyed by an integer id rather than by its two names, so
// that the keys of results and intervals, the B-trees every insert
// descends, are a few bytes each.
const (
	schemaVersion = 2
	schema        = `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
` + seriesTables + dataTables + `
INSERT INTO meta (key, value) VALUES ('schema_version', '2'), ('horizon', '0');
`
	seriesTables = `
CREATE TABLE components (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
CREATE TABLE series (
	id        INTEGER PRIMARY KEY,
	component INTEGER NOT NULL REFERENCES components (id),
	region    TEXT    NOT NULL,
	UNIQUE (component, region)
);
`
	dataTables = `
CREATE TABLE results (
	series     INTEGER NOT NULL,
	time       INTEGER NOT NULL,
	ok         INTEGER NOT NULL,
	latency_ms REAL    NOT NULL DEFAULT 0,
	status     INTEGER NOT NULL DEFAULT 0,
	error      TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (series, time)
) WITHOUT ROWID;
CREATE TABLE intervals (
	series INTEGER NOT NULL,
	start  INTEGER NOT NULL,
	end    INTEGER NOT NULL,
	state  INTEGER NOT NULL,
	PRIMARY KEY (series, start)
) WITHOUT ROWID;
CREATE TABLE latency (
	component INTEGER NOT NULL,
	hour      INTEGER NOT NULL,
	bucket    INTEGER NOT NULL,
	count     INTEGER NOT NULL,
	PRIMARY KEY (component, hour, bucket)
) WITHOUT ROWID;
`
)

// migrate1 turns a schema 1 store, which keyed every row by the component
// and region names, into schema 2, keeping every row. It runs in the
// transaction that opens the store, so a process killed halfway leaves
// schema 1 as it was. Ids follow the names' order, so the copies of
// results and intervals are written in key order. Dropping schema 1's
// tables drops its index results_by_time too, where a store still has it.
const migrate1 = seriesTables + `
INSERT INTO components (name)
	SELECT component FROM results UNION SELECT component FROM intervals UNION SELECT component FROM latency
	ORDER BY 1;
INSERT INTO series (component, region)
	SELECT c.id, k.region FROM (SELECT component, region FROM results UNION SELECT component, region FROM intervals) k
	JOIN components c ON c.name = k.component ORDER BY k.component, k.region;
ALTER TABLE results RENAME TO results_1;
ALTER TABLE intervals RENAME TO intervals_1;
ALTER TABLE latency RENAME TO latency_1;
` + dataTables + `
INSERT INTO results (series, time, ok, latency_ms, status, error)
	SELECT s.id, r.time, r.ok, r.latency_ms, r.status, r.error FROM results_1 r
	JOIN components c ON c.name = r.component JOIN series s ON s.component = c.id AND s.region = r.region;
INSERT INTO intervals (series, start, end, state)
	SELECT s.id, i.start, i.end, i.state FROM intervals_1 i
	JOIN components c ON c.name = i.component JOIN series s ON s.component = c.id AND s.region = i.region;
INSERT INTO latency (component, hour, bucket, count)
	SELECT c.id, l.hour, l.bucket, l.count FROM latency_1 l JOIN components c ON c.name = l.component;
DROP TABLE results_1;
DROP TABLE intervals_1;
DROP TABLE latency_1;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
`

// init creates the schema in a new store, or brings an older one up to
// it, in one transaction.
func (s *Store) init() error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	v, err := readSchemaVersion(tx)
	switch {
	case err != nil:
		return err
	case v == 0:
		if _, err := tx.Exec(schema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	case v == 1:
		if _, err := tx.Exec(migrate1); err != nil {
			return fmt.Errorf("migrate schema 1 to 2: %w", err)
		}
	}
	return tx.Commit()
}

// readSchemaVersion is the store's schema: 0 when it is new
// (no tables yet), and an error when it is newer than this herald.
func readSchemaVersion(q querier) (int, error) {
	var tables int
	if err := q.QueryRowContext(context.Background(), `SELECT count(*) FROM sqlite_schema WHERE name = 'meta'`).Scan(&tables); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if tables == 0 {
		return 0, nil
	}
	var text string
	if err := q.QueryRowContext(context.Background(), `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&text); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	v, err := strconv.Atoi(text)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("read schema version: %s is not a version, so this is not a herald history store: point history.path at another file", brief(text))
	}
	if v > schemaVersion {
		return 0, fmt.Errorf("check schema: the store is at schema %d, newer than this herald's %d: "+
			"upgrade herald to the version that wrote it, or point history.path at another file", v, schemaVersion)
	}
	return v, nil
}
