package config

import (
	"strconv"
	"strings"
)

// ParsePercent reads a percentage written with its sign, "50%" or
// "99.9%", as a fraction 0..1, and reports whether s was one from 0% to
// 100%. The sign is required: a bare 0.5 could mean a half or half a
// percent, and a threshold read the wrong way would silently hide or show
// every figure.
func ParsePercent(s string) (float64, bool) {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || !(v >= 0 && v <= 100) { // also refuses NaN
		return 0, false
	}
	return v / 100, true
}
