package strictyaml

import (
	"reflect"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// decodeFlat sets v's fields from the mapping n as the yaml package's
// Node.Decode sets them, for the mapping nearly every front matter is:
// text for string fields, true or false for bool fields, and values for
// fields that decode themselves. ok is false, with v untouched, for
// anything else, which is left to the yaml package. Its decoder made a
// new value for each key, and boxed and resolved each text again: two
// allocations a key, for each of a site's thousands of front matters.
// TestDecodeFlat and FuzzDecodeFlat hold it to Node.Decode.
//
// err is what Node.Decode would return, but for its words: Decode only
// asks whether there was one.
func decodeFlat(n *yaml.Node, v any) (ok bool, err error) {
	p := reflect.ValueOf(v)
	if p.Kind() != reflect.Pointer || p.IsNil() || n.Kind != yaml.MappingNode {
		return false, nil
	}
	fields := flatFieldsOf(p.Type().Elem())
	if fields == nil {
		return false, nil
	}
	// Every pair is checked before any is set, so that a value which
	// decodes itself is never decoded twice.
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if !plainScalar(k) || k.Value == "<<" {
			return false, nil
		}
		f, known := fields[k.Value]
		if !known {
			continue // the walk reported it; the yaml package skips it
		}
		switch f.kind {
		case flatString:
			ok = plainScalar(val)
		case flatBool:
			ok = plainScalar(val) && val.Tag == "!!bool"
		case flatSelf:
			ok = val.Kind != yaml.AliasNode && val.Kind != yaml.DocumentNode && val.ShortTag() != "!!null"
		default:
			ok = false
		}
		if !ok {
			return false, nil
		}
	}
	s := p.Elem()
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		f, known := fields[k.Value]
		if !known {
			continue
		}
		switch field := s.Field(f.index); f.kind {
		case flatString:
			field.SetString(val.Value)
		case flatBool:
			// The yaml package tags as !!bool only true and false, in
			// lower, title or upper case.
			field.SetBool(val.Value[0] == 't' || val.Value[0] == 'T')
		case flatSelf:
			e := field.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(val)
			if _, typeErr := e.(*yaml.TypeError); e != nil && !typeErr {
				return true, e // where the yaml package stops
			}
			if e != nil {
				err = e // and goes on to the other keys
			}
		}
	}
	return true, err
}

// plainScalar reports whether n is a scalar, not null and with no tag
// written on it, which the yaml package decodes to a string field as its
// text.
func plainScalar(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style&yaml.TaggedStyle == 0 && n.ShortTag() != "!!null"
}

// flatKind is how decodeFlat sets a field.
type flatKind int

const (
	flatOther  flatKind = iota // left to the yaml package
	flatString                 // of type string
	flatBool                   // of type bool
	flatSelf                   // whose pointer is a yaml.Unmarshaler
)

type flatField struct {
	index int
	kind  flatKind
}

// flatFieldsOf maps the keys of the struct type t to its fields as the
// yaml package maps them, once per type, or is nil for a type that
// decodeFlat leaves to it: not a struct, a yaml.Node, decoding itself,
// or with an embedded field, options in a field's tag, or two fields of one key.
func flatFieldsOf(t reflect.Type) map[string]flatField {
	if fields, ok := flatCache.Load(t); ok {
		return fields.(map[string]flatField)
	}
	fields := flatFields(t)
	flatCache.Store(t, fields)
	return fields
}

var flatCache sync.Map // reflect.Type → map[string]flatField

func flatFields(t reflect.Type) map[string]flatField {
	if t.Kind() != reflect.Struct || t == nodeType || decodesItself(t) {
		return nil
	}
	fields := map[string]flatField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil
		}
		if !f.IsExported() {
			continue
		}
		name := f.Tag.Get("yaml")
		if name == "" && f.Tag != "" || strings.Contains(name, ",") {
			return nil // a tag of the yaml package's older forms, or options
		}
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if _, dup := fields[name]; dup {
			return nil
		}
		kind := flatOther
		switch {
		case f.Type == reflect.TypeFor[string]():
			kind = flatString
		case f.Type == reflect.TypeFor[bool]():
			kind = flatBool
		case f.Type.Kind() != reflect.Pointer && reflect.PointerTo(f.Type).Implements(unmarshalerType):
			kind = flatSelf
		}
		fields[name] = flatField{i, kind}
	}
	return fields
}

// decodesItself reports whether the yaml package hands a value of type t
// to a method of its own, the current or the obsolete form.
func decodesItself(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(unmarshalerType) || pt.Implements(reflect.TypeFor[interface {
		UnmarshalYAML(func(any) error) error
	}]())
}
