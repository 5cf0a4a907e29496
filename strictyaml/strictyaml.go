// Package strictyaml decodes YAML written by people into Go structs and
// refuses what it does not understand, naming the line and column.
//
// herald.yaml and incident front matter are hand-written. A misspelt key
// that a lenient decoder silently drops is a setting that silently does not
// apply, so every key must match a field, and every error carries its place
// as a *diag.Error.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/diag"
)

// Doc is a decoded document that still knows where each value came from.
type Doc struct {
	file   string
	shift  int // lines before the YAML text in its file (front matter starts on line 2)
	nodes  map[string]*yaml.Node
	failed map[string]bool
	leaves []leaf
	tree   tree // parseSimple's nodes, kept for the next Doc once released
}

// docs holds released Docs. A front matter's nodes, some fifteen yaml.Nodes
// of 152 bytes each with pointers in them, were a tenth of the bytes a
// large site's load allocated, and were garbage as soon as its incident
// was parsed.
var docs = sync.Pool{New: func() any { return new(Doc) }}

// Release gives d back for a later Decode to reuse its nodes, map and
// arrays. Neither d nor any node it returned may be used after, nor a
// yaml.Node field of the value it decoded, whose Content points into its
// nodes; the decoded strings stay valid.
func (d *Doc) Release() {
	if d == nil {
		return
	}
	clear(d.nodes)
	clear(d.leaves[:cap(d.leaves)])
	*d = Doc{nodes: d.nodes, leaves: d.leaves[:0], tree: d.tree}
	docs.Put(d)
}

// leaf is a value the walk does not go into: a scalar, a value that
// decodes itself, or one of the wrong kind for its field.
type leaf struct {
	path string
	n    *yaml.Node
	t    reflect.Type
}

// Pos returns the 1-based line and column of the value at path ("title",
// "components[2].id"), or of the nearest enclosing value that exists.
func (d *Doc) Pos(path string) (line, col int) {
	for {
		if n, ok := d.nodes[path]; ok {
			return n.Line + d.shift, n.Column
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return 1 + d.shift, 1
		}
		path = path[:i]
	}
}

// Errorf returns an error positioned at the value at path.
func (d *Doc) Errorf(path, format string, args ...any) *diag.Error {
	line, col := d.Pos(path)
	return diag.Errorf(d.file, line, col, format, args...)
}

// Has reports whether the document set the value at path.
func (d *Doc) Has(path string) bool {
	_, ok := d.nodes[path]
	return ok
}

// Failed reports whether the value at path could not be decoded. Decode has
// reported it already, and left the field at its zero value, so a caller
// skips its own checks of that field rather than report it twice.
func (d *Doc) Failed(path string) bool { return d.failed[path] }

// Node returns the raw node at path, or nil.
func (d *Doc) Node(path string) *yaml.Node { return d.nodes[path] }

// Decode parses src as one YAML document into v, a pointer to a struct whose
// fields carry `yaml` tags. Keys that match no field are errors; fields of
// type yaml.Node are taken as they are. shift is added to every line number
// so that errors in front matter point into the whole file.
//
// When src is not a YAML mapping at all, Decode returns a nil Doc. Otherwise
// v holds every value that could be decoded and the error lists every
// problem (unknown and duplicate keys, values of the wrong kind), so that
// the caller can go on to check the rest of the document in the same run.
func Decode(file string, src []byte, shift int, v any) (*Doc, error) {
	d := docs.Get().(*Doc)
	d.file, d.shift = file, shift
	root, simple := d.tree.parseSimple(src)
	if !simple {
		if err := yaml.Unmarshal(src, &root); err != nil {
			return nil, d.yamlErrors(src, err).Err()
		}
	}
	if root.Kind == 0 { // empty document
		return d, nil
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, diag.Errorf(file, doc.Line+shift, doc.Column, "expected a mapping of keys to values, found %s", found(doc)).WithFix("write `key: value` lines")
	}
	var errs diag.List
	// Nearly every value of a front matter is a leaf: one array for them,
	// not a growing one's, and room for their paths and a few more.
	if cap(d.leaves) < len(doc.Content)/2 {
		d.leaves = make([]leaf, 0, len(doc.Content)/2)
	}
	if d.nodes == nil {
		d.nodes = make(map[string]*yaml.Node, len(doc.Content))
	}
	d.walk(doc, reflect.TypeOf(v).Elem(), "", &errs)
	flat, err := decodeFlat(doc, v)
	if !flat {
		err = doc.Decode(v)
	}
	if err != nil {
		// The yaml package names neither the key nor the column of a value
		// it cannot decode, and a bad tag stops it altogether. Decoding each
		// leaf alone finds them; each is reported in herald's words and
		// taken out, and the rest is decoded again.
		for _, l := range d.leaves {
			d.check(l, &errs)
		}
		if err := doc.Decode(v); err != nil {
			errs = append(errs, d.yamlErrors(src, err)...)
		}
	}
	return d, errs.Err()
}

// walk records the node of every path, reports keys that match no field,
// and collects the leaves.
func (d *Doc) walk(n *yaml.Node, field reflect.Type, path string, errs *diag.List) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.nodes[path] = n
	t := deref(field)
	if t == nodeType {
		d.record(n, path)
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		d.record(n, path)
		d.leaves = append(d.leaves, leaf{path, n, field})
		return
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := fieldsOf(t)
		d.dropBadKeys(n, path, errs)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				e := diag.Errorf(d.file, k.Line+d.shift, k.Column, "unknown key %q%s", k.Value, where(path))
				e.Fix = suggest(k.Value, fields)
				*errs = append(*errs, e)
				continue
			}
			d.walk(val, f.Type, join(path, k.Value), errs)
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			d.walk(c, t.Elem(), path+"["+strconv.Itoa(i)+"]", errs)
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		d.dropBadKeys(n, path, errs)
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.walk(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), errs)
		}
	default:
		d.leaves = append(d.leaves, leaf{path, n, field})
	}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// dropBadKeys reports keys that are not plain words and keys set twice, and
// takes them out of n. The yaml package would refuse the whole mapping for
// a repeated key, and say "already defined at line 1" counting from the
// start of the front matter, not of the file.
func (d *Doc) dropBadKeys(n *yaml.Node, path string, errs *diag.List) {
	first := map[string]*yaml.Node{}
	kept := n.Content[:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		switch prev, dup := first[k.Value]; {
		case k.Kind != yaml.ScalarNode:
			*errs = append(*errs, diag.Errorf(d.file, k.Line+d.shift, k.Column, "a key must be a plain word, found %s%s", found(k), where(path)).WithFix("write `key: value`"))
		case dup:
			*errs = append(*errs, diag.Errorf(d.file, k.Line+d.shift, k.Column, "duplicate key %q%s, already set on line %d", k.Value, where(path), prev.Line+d.shift).WithFix("keep one of them"))
		default:
			first[k.Value] = k
			kept = append(kept, k, n.Content[i+1])
		}
	}
	n.Content = kept
}

// record notes the positions inside a value that decodes itself, so its own
// errors can still point at the right line.
func (d *Doc) record(n *yaml.Node, path string) {
	d.nodes[path] = n
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.record(n.Content[i+1], join(path, n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.record(c, path+"["+strconv.Itoa(i)+"]")
		}
	}
}

// check decodes one leaf on its own. One that fails is reported, marked
// failed and replaced by a node that decodes to the zero value.
func (d *Doc) check(l leaf, errs *diag.List) {
	err := l.n.Decode(reflect.New(l.t).Interface())
	if err == nil {
		return
	}
	*errs = append(*errs, d.leafError(l, err))
	if d.failed == nil {
		d.failed = map[string]bool{} // made only for a document with a mistake
	}
	d.failed[l.path] = true
	*l.n = zero(l.t, l.n.Line, l.n.Column)
}

// zero returns a node that decodes to the zero value of t. It is an empty
// value of t's shape rather than a null, because the yaml package drops a
// null from a list of values, which would move the items after it to other
// indexes than their paths say. Pointers take a null, which keeps its
// place as nil, and so do values that decode themselves: they never see it.
func zero(t reflect.Type, line, col int) yaml.Node {
	n := yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: line, Column: col}
	if t.Kind() == reflect.Pointer || reflect.PointerTo(t).Implements(unmarshalerType) {
		return n
	}
	s := shapeOf(t)
	n.Kind, n.Tag, n.Value = s.kind, s.tag, s.zero
	return n
}

// leafError says what is wrong with a leaf that does not decode.
func (d *Doc) leafError(l leaf, err error) *diag.Error {
	line, col := l.n.Line, l.n.Column
	t := deref(l.t)
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		// Its own message, in herald's words, may name a line inside the
		// value: "line N: …".
		msg := err.Error()
		if at, rest, ok := lineOf(msg); ok {
			if at != line {
				line, col = at, 1
			}
			msg = rest
		}
		return diag.Errorf(d.file, line+d.shift, col, "%s", msg)
	}
	tag := ""
	if l.n.Style&yaml.TaggedStyle != 0 {
		tag = l.n.Tag
	}
	s := shapeOf(t)
	var te *yaml.TypeError
	switch {
	case tag != "" && !errors.As(err, &te):
		// The value does not read as its own tag says: a !!timestamp that
		// is not a YAML timestamp, a !!binary that is not base64.
		return diag.Errorf(d.file, line+d.shift, col, "%s: %s is not a valid %s", l.path, found(l.n), tag).WithFix("remove the %s tag", tag)
	case tag != "":
		s.fix = fmt.Sprintf("remove the %s tag", tag)
	}
	return diag.Errorf(d.file, line+d.shift, col, "%s must be %s, found %s", l.path, s.want, found(l.n)).WithFix("%s", s.fix)
}

// shape is what herald calls a kind of Go value in a message, how to write
// one, and how YAML writes its zero value.
type shape struct {
	want, fix string
	kind      yaml.Kind
	tag, zero string
}

func shapeOf(t reflect.Type) shape {
	switch t.Kind() {
	case reflect.String:
		return shape{"text", "put the text in quotes", yaml.ScalarNode, "!!str", ""}
	case reflect.Bool:
		return shape{"true or false", "write true or false", yaml.ScalarNode, "!!bool", "false"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return shape{"a whole number", "write digits only, such as 30", yaml.ScalarNode, "!!int", "0"}
	case reflect.Float32, reflect.Float64:
		return shape{"a number", "write a number such as 0.5", yaml.ScalarNode, "!!float", "0"}
	case reflect.Slice, reflect.Array:
		return shape{"a list", "write one `- item` line per entry, or [a, b]", yaml.SequenceNode, "!!seq", ""}
	}
	return shape{"a mapping", "write `key: value` lines, indented under it", yaml.MappingNode, "!!map", ""}
}

var (
	nodeType        = reflect.TypeOf(yaml.Node{})
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

// fieldsOf maps the YAML keys of the struct type t to its fields, once per
// type: read only, it is shared by every Decode, which made it anew for
// each of a site's thousands of incident files (a tenth of their parse's
// allocated bytes).
func fieldsOf(t reflect.Type) map[string]reflect.StructField {
	if fields, ok := fieldCache.Load(t); ok {
		return fields.(map[string]reflect.StructField)
	}
	fields := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f
	}
	fieldCache.Store(t, fields)
	return fields
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.StructField

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

// suggest names the closest known key, or lists them all.
func suggest(key string, fields map[string]reflect.StructField) string {
	names := slices.Sorted(maps.Keys(fields))
	if best := diag.Closest(key, names); best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "known keys: " + strings.Join(names, ", ")
}

var (
	lineRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): (.*)$`) })
	anchorRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown anchor '(.*)' referenced$`) })
)

// lineOf splits the yaml package's "line N: msg".
func lineOf(msg string) (line int, rest string, ok bool) {
	m := lineRE().FindStringSubmatch(msg)
	if m == nil {
		return 0, msg, false
	}
	line, err := strconv.Atoi(m[1])
	return line, m[2], err == nil
}

// yamlErrors places the yaml package's own messages, mostly syntax errors
// ("yaml: line 3: mapping values are not allowed in this context"), at
// their line of the file.
func (d *Doc) yamlErrors(src []byte, err error) diag.List {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var list diag.List
	for _, msg := range msgs {
		msg = strings.TrimPrefix(msg, "yaml: ")
		line, col, fix := 1, 1, "check indentation and quoting on this line or the one before"
		if at, rest, ok := lineOf(msg); ok {
			line, msg = at, rest
		} else if m := anchorRE().FindStringSubmatch(msg); m != nil {
			// The parser does not say where the alias is.
			line, col = position(src, "*"+m[1])
			fix = fmt.Sprintf("define it first with &%s on the value to repeat", m[1])
		}
		list = append(list, diag.Errorf(d.file, line+d.shift, col, "invalid YAML: %s", msg).WithFix("%s", fix))
	}
	return list
}

// position returns the line and column of the first s in src, or 1:1.
func position(src []byte, s string) (line, col int) {
	i := bytes.Index(src, []byte(s))
	if i < 0 {
		return 1, 1
	}
	before := src[:i]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte("\n")) + 1, utf8.RuneCount(before[start:]) + 1
}

// found names what a node holds, for "found …" in a message.
func found(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	const limit = 40
	if v := []rune(n.Value); len(v) > limit {
		return fmt.Sprintf("%q", string(v[:limit])+"…")
	}
	return fmt.Sprintf("%q", n.Value)
}
