package strictyaml

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// parseSimple builds the node tree that yaml.Unmarshal builds for the
// plain YAML nearly every incident's front matter is: `key: value` lines,
// with a value that is plain text, a list of words `[a, b]`, or a
// mapping of `id: word` lines indented under an empty value. ok is false
// for anything else (quotes, comments, tags, anchors, several lines to a
// value, a character YAML treats apart), which goes to the yaml package.
// The yaml package's parser spent some 80 allocations on each file's
// handful of keys; TestParseSimple and FuzzParseSimple hold the trees to
// its own.
//
// The nodes go into t's arrays, which a released Doc keeps for the next.
func (t *tree) parseSimple(b []byte) (root yaml.Node, ok bool) {
	// One copy of the text for every value, and one array for every node,
	// rather than one of each a value: a key and a value a line, a
	// mapping under each empty value, and a word after each comma and
	// each opening bracket.
	src := string(b)
	lines := strings.Count(src, "\n")
	t.nodes = grown(t.nodes, 1+2*lines+strings.Count(src, ":\n")+strings.Count(src, ",")+strings.Count(src, "["))
	// The document's one child and the mapping's children share an array;
	// the children of the mappings under empty values, and the words of
	// lists, another.
	t.children = grown(t.children, 1+2*lines)
	inner := 0
	if lists, blocks := strings.Count(src, "["), strings.Count(src, ":\n"); lists+blocks > 0 {
		inner = 2*lines + strings.Count(src, ",") + lists
	}
	t.inner = grown(t.inner, inner)
	children := t.children[:1]
	m := t.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: children[1:1]})
	line := 0
	for len(src) > 0 {
		text, rest, found := strings.Cut(src, "\n")
		if !found {
			return root, false // the front matter's last line ends with one
		}
		src = rest
		line++
		if len(text) == 0 {
			continue
		}
		k, v, ok := t.entry(text, line, 1)
		if !ok {
			return root, false
		}
		switch {
		case v != nil:
		case len(text) == len(k.Value)+1:
			// An empty value: a mapping on the lines under it.
			if v, src, line, ok = t.block(src, line); !ok {
				return root, false
			}
		default:
			return root, false
		}
		m.Content = append(m.Content, k, v)
	}
	if len(m.Content) == 0 {
		return root, false
	}
	m.Line, m.Column = m.Content[0].Line, m.Content[0].Column
	children[0] = m
	return yaml.Node{Kind: yaml.DocumentNode, Line: m.Line, Column: m.Column, Content: children[:1:1]}, true
}

// block reads the `id: word` lines indented under a key with an empty
// value, from src, whose first line is line+1.
func (t *tree) block(src string, line int) (m *yaml.Node, rest string, last int, ok bool) {
	indent := 0
	for indent < len(src) && src[indent] == ' ' {
		indent++
	}
	if indent == 0 || indent > len(spaces) {
		return nil, "", 0, false
	}
	m = t.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line + 1, Column: indent + 1, Content: t.rest()})
	for len(src) > indent && src[:indent] == spaces[:indent] && src[indent] != ' ' {
		text, after, found := strings.Cut(src, "\n")
		if !found {
			return nil, "", 0, false
		}
		line++
		k, v, ok := t.entry(text[indent:], line, indent+1)
		if !ok || v == nil || v.Kind != yaml.ScalarNode {
			return nil, "", 0, false
		}
		m.Content = append(m.Content, k, v)
		src = after
	}
	t.used(&m.Content)
	return m, src, line, true
}

// maxKey is far below YAML's limit on a key, and above any of herald's.
const maxKey = 64

const spaces = "                                "

// entry reads `key: value` at column col of line. v is nil when the
// key's value is not on the line.
func (t *tree) entry(text string, line, col int) (k, v *yaml.Node, ok bool) {
	i := 0
	for i < len(text) && isWord(text[i]) {
		i++
	}
	// YAML takes a key of at most 1,024 characters without a `?` before it.
	if i == 0 || i > maxKey || i == len(text) || text[i] != ':' {
		return nil, nil, false
	}
	k = t.scalar(text[:i], line, col)
	i++
	if i == len(text) {
		return k, nil, true
	}
	if text[i] != ' ' {
		return nil, nil, false
	}
	for i < len(text) && text[i] == ' ' {
		i++
	}
	if i == len(text) {
		return nil, nil, false
	}
	if text[i] == '[' {
		v, ok = t.words(text[i:], line, col+i)
		return k, v, ok
	}
	value := strings.TrimRight(text[i:], " ")
	if !plain(value) {
		return nil, nil, false
	}
	return k, t.scalar(value, line, col+i), true
}

// words reads a list of words `[a, b]` that ends its line.
func (t *tree) words(text string, line, col int) (*yaml.Node, bool) {
	seq := t.node(yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Tag: "!!seq", Line: line, Column: col, Content: t.rest()})
	i := 1
	for {
		for i < len(text) && text[i] == ' ' {
			i++
		}
		start := i
		for i < len(text) && isWord(text[i]) {
			i++
		}
		if i > start {
			seq.Content = append(seq.Content, t.scalar(text[start:i], line, col+start))
		}
		for i < len(text) && text[i] == ' ' {
			i++
		}
		switch {
		case i == len(text):
			return nil, false
		case text[i] == ']' && (i > start || len(seq.Content) == 0):
			t.used(&seq.Content)
			return seq, strings.TrimRight(text[i+1:], " ") == ""
		case text[i] == ',' && i > start:
			i++
		default:
			return nil, false
		}
	}
}

// tree holds the nodes of one document, the children of its root and of
// its mapping, and those of the values within (inner).
type tree struct {
	nodes    []yaml.Node
	children []*yaml.Node
	inner    []*yaml.Node
}

// rest is the room left in inner, for the children of one value: the
// values are read one after another, and each takes its room with used
// once it is read.
func (t *tree) rest() []*yaml.Node { return t.inner[len(t.inner):len(t.inner)] }

// used takes the room of *content, which rest gave, from inner, and
// leaves *content nil when empty, as the yaml package does.
func (t *tree) used(content *[]*yaml.Node) {
	t.inner = t.inner[:min(len(t.inner)+len(*content), cap(t.inner))]
	if len(*content) == 0 {
		*content = nil
	}
}

// grown is s emptied, with room for n.
func grown[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, 0, n)
	}
	return s[:0]
}

// node returns a place for n in the tree's array while it has room: a
// pointer into it would not survive the array's growing.
func (t *tree) node(n yaml.Node) *yaml.Node {
	if len(t.nodes) == cap(t.nodes) {
		p := new(yaml.Node)
		*p = n
		return p
	}
	t.nodes = append(t.nodes, n)
	return &t.nodes[len(t.nodes)-1]
}

func (t *tree) scalar(value string, line, col int) *yaml.Node {
	return t.node(yaml.Node{Kind: yaml.ScalarNode, Tag: plainTag(value), Value: value, Line: line, Column: col})
}

// plainTag is the tag the yaml package's parser resolves a plain scalar
// to. Its resolving boxes the text it returns, and a date such as
// `2026-10-27 06:10` fails four time layouts, an integer and a float
// first, each failure a new error: some forty allocations for an
// incident's front matter. So the texts that can only be strings are
// told from their form, as the yaml package's resolve tells them (which
// TestPlainTag and FuzzParseSimple hold it to), and only the others are
// resolved by it.
func plainTag(value string) string {
	switch c := value[0]; {
	case strings.IndexByte("+-.0123456789yYnNtTfFoO~<", c) < 0:
		// No hint of another type: resolve takes it as a string at once.
	case strings.IndexByte("yYnNtTfFoO~<", c) >= 0 && len(value) > len("false"):
		// Only a word of its map (true, null, ~, <<) is anything else.
	case strings.IndexByte(value, ' ') >= 0 && strings.Count(value, ":") < 2:
		// Numbers hold no space, nor do timestamps but for
		// `2006-1-2 15:4:5`, which needs two colons after it.
	default:
		n := yaml.Node{Kind: yaml.ScalarNode, Value: value}
		return n.ShortTag()
	}
	return "!!str"
}

// isWord reports whether c may be in a key or a listed word.
func isWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// plain reports whether value, without white space at its ends, reads as
// plain text in YAML as it is: it starts with no indicator, holds no
// comment or `: `, and no character that YAML reads as a line break or
// refuses.
func plain(value string) bool {
	if value == "" || strings.IndexByte("-?:,[]{}#&*!|>'\"%@` ", value[0]) >= 0 {
		return false
	}
	if value[len(value)-1] == ':' || strings.Contains(value, ": ") || strings.IndexByte(value, '#') >= 0 {
		return false
	}
	for i := 0; i < len(value); {
		c := value[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7F {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(value[i:])
		if !(r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000) ||
			r == 0x2028 || r == 0x2029 || r == 0xFEFF || r == utf8.RuneError {
			return false
		}
		i += n
	}
	return true
}
