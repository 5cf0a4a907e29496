// Package strictyaml decodes YAML written by people into Go structs and
// refuses what it does not understand, naming the line and column.
//
// herald.yaml and incident front matter are hand-written. A misspelt key
// that a lenient decoder silently drops is a setting that silently does not
// apply, so every key must match a field, and every error carries its place
// as a *diag.Error.
package strictyaml

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/diag"
)

// Doc is a decoded document that still knows where each value came from.
type Doc struct {
	file  string
	shift int // lines before the YAML text in its file (front matter starts on line 2)
	nodes map[string]*yaml.Node
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

// Node returns the raw node at path, or nil.
func (d *Doc) Node(path string) *yaml.Node { return d.nodes[path] }

// Decode parses src as one YAML document into v, a pointer to a struct whose
// fields carry `yaml` tags. Keys that match no field are errors; fields of
// type yaml.Node are taken as they are. shift is added to every line number
// so that errors in front matter point into the whole file.
func Decode(file string, src []byte, shift int, v any) (*Doc, error) {
	d := &Doc{file: file, shift: shift, nodes: map[string]*yaml.Node{}}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return d, d.syntaxError(err)
	}
	if root.Kind == 0 { // empty document
		return d, nil
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return d, diag.Errorf(file, doc.Line+shift, doc.Column, "expected a mapping of keys to values, found %s", kindName(doc))
	}
	var errs diag.List
	d.walk(doc, reflect.TypeOf(v).Elem(), "", &errs)
	if len(errs) > 0 {
		return d, errs.Err()
	}
	if err := doc.Decode(v); err != nil {
		return d, d.typeError(err)
	}
	return d, nil
}

// walk records the node of every path and reports keys that match no field.
func (d *Doc) walk(n *yaml.Node, t reflect.Type, path string, errs *diag.List) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.nodes[path] = n
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeOf(yaml.Node{}) || reflect.PointerTo(t).Implements(reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()) {
		d.record(n, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // Decode reports the type mismatch with its line
		}
		fields := fieldsOf(t)
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
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, c := range n.Content {
			d.walk(c, t.Elem(), path+"["+strconv.Itoa(i)+"]", errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.walk(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), errs)
		}
	}
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

func fieldsOf(t reflect.Type) map[string]reflect.StructField {
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
	return fields
}

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

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxError turns the yaml package's "yaml: line N: msg" into a position.
func (d *Doc) syntaxError(err error) error {
	line, msg := 1, strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	return diag.Errorf(d.file, line+d.shift, 1, "invalid YAML: %s", msg).WithFix("check indentation and quoting on this line or the one before")
}

// typeError turns each "line N: cannot unmarshal …" into its own positioned error.
func (d *Doc) typeError(err error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()} // a custom unmarshaler's "line N: …"
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var errs diag.List
	for _, s := range msgs {
		line, msg := 1, s
		if m := lineRE.FindStringSubmatch(s); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		errs = append(errs, diag.Errorf(d.file, line+d.shift, 1, "%s", friendly(msg)))
	}
	return errs.Err()
}

var unmarshalRE = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (.+)$")

// friendly rewords the yaml package's Go-typed messages for people.
func friendly(msg string) string {
	m := unmarshalRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := m[3]
	switch {
	case strings.HasPrefix(want, "[]"):
		want = "a list"
	case strings.HasPrefix(want, "map["):
		want = "a mapping"
	case strings.Contains(want, "int"):
		want = "a whole number"
	case want == "bool":
		want = "true or false"
	case want == "string":
		want = "text"
	case want == "time.Duration":
		want = "a duration such as 30s or 5m"
	case strings.Contains(want, "."):
		want = "a mapping"
	}
	return fmt.Sprintf("expected %s, found %q", want, m[2])
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}
