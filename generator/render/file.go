// Package render turns a status.Snapshot into the site's HTML pages and
// assets, using the templates embedded from the templates package and any
// overrides in the site's own templates/ folder.
package render

import "io"

// File is one output file of the site: its path relative to the site's
// root (slash-separated, e.g. "incidents/db-down/index.html") and a
// function that writes its bytes. Rendering is a pure function of the
// snapshot, so files can be rendered concurrently and in any order.
type File struct {
	Path   string
	Render func(w io.Writer) error
	// Key, when not empty, stands for everything the bytes depend on
	// besides Path, the site's config and the theme: two renders of one
	// path with the same Key, config and theme write the same bytes. A
	// generator.Builder reuses the bytes of a file whose Key, config and
	// theme did not change since its last build instead of rendering it,
	// and renders a file without a Key every time. A Key that covers an
	// incident covers its Sum, and what the clock makes of it if the
	// bytes show that.
	Key string
}
