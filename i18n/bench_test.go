package i18n

import "testing"

// BenchmarkShipped parses each shipped catalog against the reference, as
// a process does once for each language it writes in.
func BenchmarkShipped(b *testing.B) {
	ref, errs := checkShipped(reference, nil)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	for _, tag := range Supported() {
		b.Run(tag, func(b *testing.B) {
			src, err := readShipped(tag)
			if err != nil {
				b.Fatal(err)
			}
			want := ref
			if tag == reference {
				want = nil
			}
			for b.Loop() {
				msgs, errs := parse("catalog/"+tag+".yaml", tag, src, want, true)
				if len(errs) > 0 {
					b.Fatal(errs)
				}
				newLocale(tag, msgs)
			}
		})
	}
}
