package history

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Export writes the raw results still within retention as JSON Lines,
// oldest first: every component when component is "", and only results at
// or after since. The output imports back unchanged.
func (s *Store) Export(ctx context.Context, w io.Writer, component string, since time.Time) error {
	q := `SELECT ` + resultColumns + ` FROM ` + resultJoin + ` WHERE r.time >= ?`
	args := []any{since.UnixMilli()}
	if component != "" {
		q += ` AND c.name = ?`
		args = append(args, component)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY r.time, c.name, s.region`, args...)
	if err != nil {
		return fmt.Errorf("export results: %w", err)
	}
	defer rows.Close()
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for rows.Next() {
		r, err := scanResult(rows)
		if err != nil {
			return fmt.Errorf("export results: %w", err)
		}
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("export results: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export results: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export results: %w", err)
	}
	return nil
}
