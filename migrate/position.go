package migrate

import "bytes"

// Position turns a byte offset of src into a 1-based line and column,
// for an error at a place in a JSON source. A JSON error's Offset is just
// past the bad byte or value, so callers pass Offset-1 to point at it.
func Position(src []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(src)))
	before := src[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	return line, int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
}
