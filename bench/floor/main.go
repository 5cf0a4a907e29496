// Command floor is the lower bound herald's build is compared with in
// `make bench`: it reads every incident file of a site, converts its body
// with goldmark alone (the GFM extension, as herald uses), and writes as
// many output files, of the same total size, as herald's build wrote. No
// templates, no feeds, no status, no atomic publish, no fsync: what is
// left is reading, Markdown and writing, on every core.
//
//	floor -site DIR -out DIR -files N -bytes B
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

func main() {
	site := flag.String("site", ".", "the site folder, holding incidents/")
	out := flag.String("out", "floor-out", "the output folder (must not exist)")
	files := flag.Int("files", 0, "how many files to write in all (at least one per incident)")
	size := flag.Int64("bytes", 0, "how many bytes to write in all")
	flag.Parse()
	if err := run(*site, *out, *files, *size); err != nil {
		fmt.Fprintf(os.Stderr, "floor: %v\n", err)
		os.Exit(1)
	}
}

func run(site, out string, wantFiles int, wantBytes int64) error {
	var paths []string
	err := filepath.WalkDir(filepath.Join(site, "incidents"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		return err
	}
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	var (
		written atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
		jobs    = make(chan string)
		sample  atomic.Pointer[[]byte]
	)
	fail := func(err error) { errOnce.Do(func() { first = err }) }
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var buf bytes.Buffer
			for p := range jobs {
				src, err := os.ReadFile(p)
				if err != nil {
					fail(err)
					continue
				}
				buf.Reset()
				buf.WriteString("<!doctype html><meta charset=utf-8><main>\n")
				if err := md.Convert(body(src), &buf); err != nil {
					fail(err)
					continue
				}
				buf.WriteString("</main>\n")
				slug := strings.TrimSuffix(filepath.Base(p), ".md")
				dir := filepath.Join(out, "incidents", slug)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					fail(err)
					continue
				}
				if err := os.WriteFile(filepath.Join(dir, "index.html"), buf.Bytes(), 0o644); err != nil {
					fail(err)
					continue
				}
				written.Add(int64(buf.Len()))
				if sample.Load() == nil {
					b := bytes.Clone(buf.Bytes())
					sample.CompareAndSwap(nil, &b)
				}
			}
		})
	}
	for _, p := range paths {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		return first
	}
	// Pad with as many more files as herald writes beyond one page per
	// incident (archive, components, feeds, assets), filled with rendered
	// HTML so that the total size matches too.
	extra := wantFiles - len(paths)
	if extra <= 0 || sample.Load() == nil {
		return nil
	}
	rest := max(wantBytes-written.Load(), 0)
	fill := *sample.Load()
	if err := os.MkdirAll(filepath.Join(out, "extra"), 0o755); err != nil {
		return err
	}
	for i := range extra {
		n := rest / int64(extra)
		if i == extra-1 {
			n = rest - n*int64(extra-1)
		}
		data := bytes.Repeat(fill, int(n)/max(len(fill), 1)+1)[:n]
		if err := os.WriteFile(filepath.Join(out, "extra", fmt.Sprintf("%d.html", i)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// body is src without its front matter.
func body(src []byte) []byte {
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return src
	}
	if i := bytes.Index(src[4:], []byte("\n---\n")); i >= 0 {
		return src[4+i+5:]
	}
	return src
}
