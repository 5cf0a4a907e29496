package i18n

import "testing"

// FuzzParse: no site catalog, however broken, makes parse panic, and a
// catalog it accepts holds only keys of en.yaml.
func FuzzParse(f *testing.F) {
	for _, tag := range Supported() {
		src, err := catalogs.ReadFile("catalog/" + tag + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tag, src)
	}
	f.Add("ja", []byte("component.days_ago:\n  one: a\n  other: '{count}'\n"))
	f.Add("de", []byte("a: &x [*x]\n"))
	ref := For("en").msgs
	f.Fuzz(func(t *testing.T, tag string, src []byte) {
		msgs, errs := parse("i18n/x.yaml", tag, src, ref, false)
		for key := range msgs {
			if _, ok := ref[key]; !ok {
				t.Errorf("accepted key %q, which en.yaml lacks (errors: %v)", key, errs)
			}
		}
	})
}
