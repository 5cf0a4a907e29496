package feed

import (
	"time"

	"github.com/herald-status/herald/generator/internal/jsontext"
)

// The three formats are written as gorilla/feeds' types encoded by
// encoding/xml (indented by two spaces) and encoding/json (indented as
// json.MarshalIndent) wrote them: the same elements and keys in the same
// order, left out where those were empty or omitempty. TestEncoding
// holds every feed to that reference.

// xmlHeader is xml.Header without its newline, as gorilla wrote it.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>`

// appendElement appends "<name>text</name>" on a line of its own,
// indented by indent.
func appendElement(b []byte, indent, name, text string) []byte {
	b = appendStart(b, indent, name)
	b = appendXMLText(b, text)
	return appendEnd(b, name)
}

// appendTimeElement is appendElement for a time, written with layout.
func appendTimeElement(b []byte, indent, name string, t time.Time, layout string) []byte {
	b = appendStart(b, indent, name)
	b = t.AppendFormat(b, layout) // no character of a date needs escaping
	return appendEnd(b, name)
}

func appendStart(b []byte, indent, name string) []byte {
	b = append(b, '\n')
	b = append(b, indent...)
	b = append(b, '<')
	b = append(b, name...)
	return append(b, '>')
}

func appendEnd(b []byte, name string) []byte {
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

func appendRSS(b []byte, f *feed) ([]byte, error) {
	b = append(b, xmlHeader+`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">`+"\n  <channel>"...)
	b = appendElement(b, "    ", "title", xmlSafe(f.title))
	b = appendElement(b, "    ", "link", f.link)
	b = appendElement(b, "    ", "description", xmlSafe(f.description))
	if f.lang != "" {
		b = appendElement(b, "    ", "language", f.lang)
	}
	if !f.updated.IsZero() {
		b = appendTimeElement(b, "    ", "pubDate", f.updated, time.RFC1123Z)
		b = appendTimeElement(b, "    ", "lastBuildDate", f.updated, time.RFC1123Z)
	}
	for _, it := range f.items {
		b = append(b, "\n    <item>"...)
		b = appendElement(b, "      ", "title", it.title)
		b = appendElement(b, "      ", "link", it.url)
		b = appendElement(b, "      ", "description", it.description)
		if it.content != "" {
			b = appendStart(b, "      ", "content:encoded")
			b = appendCDATA(b, it.content)
			b = appendEnd(b, "content:encoded")
		}
		b = append(b, "\n      <guid isPermaLink=\"true\">"...)
		b = appendXMLText(b, it.url)
		b = append(b, "</guid>"...)
		if t := firstSet(it.created, it.updated); !t.IsZero() {
			b = appendTimeElement(b, "      ", "pubDate", t, time.RFC1123Z)
		}
		b = append(b, "\n    </item>"...)
	}
	return append(b, "\n  </channel>\n</rss>\n"...), nil
}

// firstSet is the first of times that is not zero, as gorilla picked a
// date among several.
func firstSet(times ...time.Time) time.Time {
	for _, t := range times {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// atomEpoch is the updated date of a feed that has no entry. Atom requires
// one, and the build clock would change the feed on every build.
const atomEpoch = "1970-01-01T00:00:00Z"

func appendAtom(b []byte, f *feed) ([]byte, error) {
	site := f.snap.Site
	b = append(b, xmlHeader+`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="`...)
	b = appendXMLText(b, f.lang)
	b = append(b, "\">"...)
	// The feed's alternate and its rel="self" link come first: Atom
	// allows the metadata in any order, but only before the entries.
	b = appendAtomLink(b, "  ", f.link, "alternate", "text/html")
	b = appendAtomLink(b, "  ", site.BaseURL+f.dir+atomName, "self", "application/atom+xml")
	b = appendElement(b, "  ", "title", xmlSafe(f.title))
	b = appendElement(b, "  ", "id", f.link)
	if f.updated.IsZero() {
		b = appendElement(b, "  ", "updated", atomEpoch)
	} else {
		b = appendTimeElement(b, "  ", "updated", f.updated, time.RFC3339)
	}
	if d := xmlSafe(f.description); d != "" {
		b = appendElement(b, "  ", "subtitle", d)
	}
	// The alternate link once more, without rel, as gorilla's own link
	// field wrote it beside the two above.
	b = appendAtomLink(b, "  ", f.link, "", "")
	// Atom wants an author for the feed unless every entry has one.
	b = append(b, "\n  <author>"...)
	name, uri := xmlSafe(site.Title), site.BaseURL
	if name != "" {
		b = appendElement(b, "    ", "name", name)
	}
	if uri != "" {
		b = appendElement(b, "    ", "uri", uri)
	}
	if name != "" || uri != "" {
		b = append(b, "\n  "...)
	}
	b = append(b, "</author>"...)
	for _, it := range f.items {
		b = append(b, "\n  <entry>"...)
		b = appendElement(b, "    ", "title", it.title)
		if t := firstSet(it.updated, it.created); t.IsZero() {
			b = appendElement(b, "    ", "updated", "")
		} else {
			b = appendTimeElement(b, "    ", "updated", t, time.RFC3339)
		}
		b = appendElement(b, "    ", "id", it.url)
		if it.content != "" {
			b = append(b, "\n    <content type=\"html\">"...)
			b = appendXMLText(b, it.content)
			b = append(b, "</content>"...)
		}
		b = appendTimeElement(b, "    ", "published", it.created, time.RFC3339)
		b = appendAtomLink(b, "    ", it.url, "alternate", "text/html")
		if it.description != "" {
			b = append(b, "\n    <summary type=\"html\">"...)
			b = appendXMLText(b, it.description)
			b = append(b, "</summary>"...)
		}
		b = append(b, "\n  </entry>"...)
	}
	return append(b, "\n</feed>\n"...), nil
}

// appendAtomLink appends an Atom link, rel and type left out when empty.
func appendAtomLink(b []byte, indent, href, rel, typ string) []byte {
	b = append(b, '\n')
	b = append(b, indent...)
	b = append(b, `<link href="`...)
	b = appendXMLText(b, href)
	if rel != "" {
		b = append(b, `" rel="`...)
		b = appendXMLText(b, rel)
	}
	if typ != "" {
		b = append(b, `" type="`...)
		b = appendXMLText(b, typ)
	}
	return append(b, `"></link>`...)
}

// appendJSONKey appends `"key": ` on a line of its own, indented by
// indent, after a comma unless it is the object's first.
func appendJSONKey(b []byte, first bool, indent, key string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '\n')
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, key...)
	return append(b, `": `...)
}

// appendJSONFields appends each field whose value is not empty, as
// omitempty left them out, and reports whether it appended none.
func appendJSONFields(b []byte, first bool, indent string, fields ...[2]string) ([]byte, bool) {
	for _, kv := range fields {
		if kv[1] != "" {
			b = appendJSONKey(b, first, indent, kv[0])
			b = jsontext.AppendString(b, kv[1])
			first = false
		}
	}
	return b, first
}

func appendJSON(b []byte, f *feed) ([]byte, error) {
	site := f.snap.Site
	b = append(b, "{\n  \"version\": \"https://jsonfeed.org/version/1.1\","...)
	b = append(b, "\n  \"title\": "...)
	b = jsontext.AppendString(b, xmlSafe(f.title))
	b, _ = appendJSONFields(b, false, "  ",
		[2]string{"language", f.lang},
		[2]string{"home_page_url", f.link},
		[2]string{"feed_url", site.BaseURL + f.dir + jsonName},
		[2]string{"description", xmlSafe(f.description)})
	b = append(b, ",\n  \"authors\": [\n    {"...)
	b, none := appendJSONFields(b, true, "      ", [2]string{"name", site.Title}, [2]string{"url", site.BaseURL})
	if !none {
		b = append(b, "\n    "...)
	}
	b = append(b, "}\n  ],\n  \"items\": ["...)
	var err error
	for i, it := range f.items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    {\n      \"id\": "...)
		b = jsontext.AppendString(b, it.url)
		b, _ = appendJSONFields(b, false, "      ",
			[2]string{"url", it.url},
			[2]string{"title", it.title},
			[2]string{"content_html", it.content},
			[2]string{"summary", it.summary})
		for _, kt := range [...]struct {
			key string
			t   time.Time
		}{{"date_published", it.created}, {"date_modified", it.updated}} {
			if !kt.t.IsZero() {
				b = appendJSONKey(b, false, "      ", kt.key)
				if b, err = appendJSONTime(b, kt.t); err != nil {
					return nil, err
				}
			}
		}
		b = append(b, "\n    }"...)
	}
	if len(f.items) > 0 {
		b = append(b, "\n  "...)
	}
	return append(b, "]\n}\n"...), nil
}
