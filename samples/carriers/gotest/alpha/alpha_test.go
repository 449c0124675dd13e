// Package alpha only talks: its parallel subtests print lines around the
// moment the crash package dumps its goroutines (see internal/moment).
package alpha

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"example.com/carriers/internal/moment"
)

func TestMain(m *testing.M) { moment.Main(m) }

func TestParseHeader(t *testing.T) {
	got := strings.Fields("GET /items HTTP/1.1")
	if len(got) != 3 {
		t.Fatalf("got %q", got)
	}
	t.Logf("parsed %d fields", len(got))
}

func TestIngest(t *testing.T) {
	for _, source := range []string{"csv", "ndjson", "parquet"} {
		source := source
		t.Run(source, func(t *testing.T) {
			t.Parallel()
			t.Logf("ingesting from %s", source)
			n := moment.Chatter(func(i int) {
				fmt.Printf("alpha: %s row %d ingested\n", source, i)
			}, 2*time.Millisecond, 8*time.Millisecond, 250*time.Microsecond)
			t.Logf("%s: %d rows", source, n)
		})
	}
}
