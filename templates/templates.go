// Package templates holds herald's default theme: the html/template files
// that lay out every page, the stylesheet and the favicon, embedded in the
// binary so a site needs no theme folder of its own.
//
// A site may replace any of these files by a file of the same name in its
// own templates/ folder; generator/render loads them, checks every one
// against sample data before a build writes anything, and documents the data
// each template receives.
//
// base.html is the layout. partials.html, base.html and one page template
// (index.html, incident.html, history.html, component.html, subscribe.html,
// reports.html, report.html, 404.html) are parsed together, in that order,
// and executed from base.html: the page defines "main" and may define
// "head", and partials.html holds the small templates the pages share,
// such as "status" and "entry".
package templates

import "embed"

// FS holds the default theme. The pattern names each kind of file instead
// of "*" so that an editor's backup or swap file never ends up in the binary.
//
//go:embed *.html *.css *.svg *.js
var FS embed.FS

// Layout is the template every page is executed through, and Partials
// the templates pages share.
const (
	Layout   = "base.html"
	Partials = "partials.html"
)

// Pages lists the page templates, each executed through the layout.
func Pages() []string {
	return []string{"index.html", "incident.html", "history.html", "component.html", "subscribe.html", "reports.html", "report.html", "404.html"}
}

// Assets are copied to the site as they are (the stylesheet under a
// content-hashed name).
const (
	Stylesheet = "style.css"
	Favicon    = "favicon.svg"
	// Script is the index page's only script, a progressive enhancement
	// that warns when the page is older than stale_after.
	Script = "stale.js"
)

// Names lists every file of the theme, which is also every file a site may
// override.
func Names() []string {
	names := append([]string{Layout, Partials}, Pages()...)
	return append(names, Stylesheet, Favicon, Script)
}
