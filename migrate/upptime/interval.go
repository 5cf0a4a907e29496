// Package upptime reads an Upptime status repository (its .upptimerc.yml,
// its history/ folder and the git log behind them) into a migrate.Site.
package upptime

import "time"

// placeholder until merged with upptime.go

// Interval is the probe interval written into herald.yaml, and the step
// between the results History writes.
const Interval = 5 * time.Minute
