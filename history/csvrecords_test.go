package history

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// csvCases are CSV inputs whose records csvRecords must delimit exactly as
// encoding/csv does; also the fuzz seeds.
var csvCases = []string{
	"component,time,ok\napi,2026-11-28T15:00:00Z,true\n",
	"a,b\r\nc,d\r\n",
	"a,b\n\n\nc,d",
	"a,\"b\nc\",d\ne,f\n",
	"a,\"b\"\"c\",d\n",
	"a,\"b\"\r\nc\n",
	"a,\"b\"\rc\nd\n",
	"a,\"b\"x,c\nd,e\n",
	"a,b\"c,d\ne,f\n",
	"\"a\nb\nc\n",
	"a,\"\"\n\"\",b\n",
	"\"a\",\"b\"\n",
	"a,\"b\r\nc\"\r\nd\n",
	"\ufeffa,b\n",
	",,\n,\n",
	"\"\"\"\"\n",
	"a\r",
	"a\r\r\n",
	"\"a\"\"\nb\n\"\nc\n",
}

// csvRecordsOf reads in with encoding/csv, through csvRecords when
// through, and describes each record (its fields and the line it starts
// on) or error.
func csvRecordsOf(in []byte, through bool) []string {
	var r io.Reader = bytes.NewReader(in)
	if through {
		r = newCSVRecords(bufio.NewReaderSize(r, maxLine))
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var out []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		line := -1
		if err == nil {
			line, _ = cr.FieldPos(0)
		}
		out = append(out, fmt.Sprintf("%d %q %v", line, rec, err))
	}
}

func TestCSVRecordsAgreeWithCSV(t *testing.T) {
	for i, c := range csvCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			got, want := csvRecordsOf([]byte(c), true), csvRecordsOf([]byte(c), false)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%q:\n got %q\nwant %q", c, got, want)
			}
		})
	}
}

// FuzzCSVRecords checks that passing CSV through csvRecords changes
// nothing encoding/csv reads of it, when no record is too long.
func FuzzCSVRecords(f *testing.F) {
	for _, c := range csvCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxLine {
			return
		}
		got, want := csvRecordsOf(in, true), csvRecordsOf(in, false)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
	})
}
