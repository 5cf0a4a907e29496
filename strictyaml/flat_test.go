package strictyaml

import (
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/diag"
)

// flatDoc has a field of every kind decodeFlat sets, and others it
// leaves to the yaml package.
type flatDoc struct {
	Title  string   `yaml:"title"`
	Draft  bool     `yaml:"draft"`
	Word   word     `yaml:"word"`
	Listed listed   `yaml:"listed"`
	Days   int      `yaml:"days"`
	Tags   []string `yaml:"tags"`
	Plain  string
	//lint:ignore U1000 never set: decodeFlat must skip it as the yaml package does ("hidden: x" below)
	hidden string
}

// listed decodes itself from a list of words, and says what is wrong in
// a *yaml.TypeError, after which the yaml package goes on to other keys.
type listed []string

func (l *listed) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return &yaml.TypeError{Errors: []string{"line 1: expected a list"}}
	}
	for _, c := range n.Content {
		*l = append(*l, c.Value)
	}
	return nil
}

var flatCases = []string{
	"title: API errors\ndraft: true\nword: api\nlisted: [a, b]\n",
	"title: 2024-01-02 10:04\ndraft: False\nplain: x\n",
	"title: 12\nword: Api\nlisted: [a]\n",
	"title: .inf\nlisted: x\nword: api\n",
	"title: 2024-01-02\ndraft: TRUE\n",
	"title: ~\n",
	"title: null\nword: api\n",
	"draft: yes\n",
	"draft: 1\n",
	"word: ~\n",
	"title: \"quoted\"\ndraft: 'true'\n",
	"title: !!str 12\n",
	"title: &a x\nword: *a\n",
	"title: x\nunknown: y\ndays: 3\n",
	"title: x\ntags: [a]\n",
	"<<: {title: x}\n",
	"true: x\ntitle: y\n",
	"~: x\n",
	"title: x\ntitle: y\n",
	"hidden: x\n",
	"title: [a, b]\n",
	"title:\n  a: b\n",
	"listed:\n  - a\n  - b\nword: \"api\"\n",
}

// TestDecodeFlat holds decodeFlat to the yaml package's Node.Decode: the
// same fields set, and an error for the same documents.
func TestDecodeFlat(t *testing.T) {
	for _, src := range flatCases {
		t.Run(src, func(t *testing.T) { checkDecodeFlat(t, src) })
	}
	var v flatDoc
	if ok, _ := decodeFlat(mapping(t, flatCases[0]), &v); !ok {
		t.Errorf("decodeFlat(%q): got it left to the yaml package, want it decoded", flatCases[0])
	}
	if ok, _ := decodeFlat(&yaml.Node{Kind: yaml.MappingNode}, new(yaml.Node)); ok {
		t.Error("decodeFlat into a yaml.Node: got ok, want it left to the yaml package")
	}
}

func mapping(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	return root.Content[0]
}

func FuzzDecodeFlat(f *testing.F) {
	for _, src := range flatCases {
		f.Add(src)
	}
	for _, tt := range simpleCases {
		f.Add(tt.src)
	}
	f.Fuzz(func(t *testing.T, src string) { checkDecodeFlat(t, src) })
}

func checkDecodeFlat(t *testing.T, src string) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil || root.Kind == 0 || root.Content[0].Kind != yaml.MappingNode {
		return
	}
	doc := root.Content[0]
	// As Decode does: the walk takes out repeated keys first.
	d := &Doc{nodes: map[string]*yaml.Node{}}
	var errs diag.List
	d.walk(doc, reflect.TypeFor[flatDoc](), "", &errs)
	var got, want flatDoc
	ok, gotErr := decodeFlat(doc, &got)
	if !ok {
		if !reflect.DeepEqual(got, flatDoc{}) {
			t.Errorf("decodeFlat(%q) left it to the yaml package, but set %+v", src, got)
		}
		return
	}
	wantErr := doc.Decode(&want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decodeFlat(%q): got %+v, want %+v", src, got, want)
	}
	if (gotErr != nil) != (wantErr != nil) {
		t.Errorf("decodeFlat(%q): got error %v, want %v", src, gotErr, wantErr)
	}
}

// TestDecodeFlatAllocs holds the decoding of a front matter's plain keys
// to decodeFlat's: 25 allocations with the yaml package's decoder, 17 then,
// and 16 with its map of paths sized at once.
func TestDecodeFlatAllocs(t *testing.T) {
	src := []byte("title: API errors\ndraft: true\nword: api\nlisted: [a, b]\n")
	got := testing.AllocsPerRun(50, func() {
		var v flatDoc
		if _, err := Decode("f.md", src, 1, &v); err != nil {
			t.Fatal(err)
		}
	})
	if want := 16.0; got > want {
		t.Errorf("got %v allocations, want at most %v", got, want)
	}
}
