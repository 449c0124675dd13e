// Package beta only talks: its parallel subtests print lines around the
// moment the crash package dumps its goroutines (see internal/moment).
package beta

import (
	"fmt"
	"testing"
	"time"

	"example.com/carriers/internal/moment"
)

func TestMain(m *testing.M) { moment.Main(m) }

func TestRound(t *testing.T) {
	if got := (1234 + 50) / 100 * 100; got != 1200 {
		t.Fatalf("got %d", got)
	}
}

func TestInvoices(t *testing.T) {
	for _, region := range []string{"eu", "us", "apac"} {
		region := region
		t.Run(region, func(t *testing.T) {
			t.Parallel()
			n := moment.Chatter(func(i int) {
				if i%12 == 0 {
					t.Logf("%s: batch %d", region, i/12)
					return
				}
				fmt.Printf("beta: %s invoice %d sent\n", region, i)
			}, 2*time.Millisecond, 8*time.Millisecond, 250*time.Microsecond)
			t.Logf("%s: %d invoices", region, n)
		})
	}
}
