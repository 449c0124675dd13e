// Command crashapp is a small "cart service" that crashes: it logs a few
// lines to stdout and stderr, parks goroutines the way a busy service has
// them, then panics with an error whose text holds '<', '>' and '&' (which
// JSON encoders escape). Run it with GOTRACEBACK=all to dump every goroutine.
//
// What it parked, and where it panics, goes to $CARRIERS_MANIFEST as
// "MANIFEST {json}" lines before the crash (see internal/park).
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"example.com/carriers/internal/park"
)

type pricer struct {
	quotes chan float64
}

// fetch waits for a price quote that never arrives.
func (p *pricer) fetch(g *park.Group, i int) {
	g.Arrive(i)
	<-p.quotes // SAMPLE:app-fetch
}

// flushAudit waits for the audit log lock, which main holds.
func flushAudit(g *park.Group, i int, mu *sync.Mutex) {
	g.Arrive(i)
	mu.Lock() // SAMPLE:app-audit
	mu.Unlock()
}

// reap sleeps between sweeps of expired carts.
func reap(g *park.Group, i int) {
	g.Arrive(i)
	time.Sleep(time.Hour) // SAMPLE:app-reaper
}

// subscribe waits for cart events or shutdown.
func subscribe(g *park.Group, i int, events <-chan string, quit <-chan struct{}) {
	g.Arrive(i)
	select { // SAMPLE:app-subscribe
	case <-events:
	case <-quit:
	}
}

var errTemplate = errors.New(`template: cart:3: unexpected "<" in operand`)

// render fails on the cart template and panics.
func render(cart int) {
	err := fmt.Errorf("render cart %d <view=full> & checkout: %w", cart, errTemplate)
	park.Emit(park.Record{Kind: "crash", Key: "app-render", Func: park.Caller(0), Goroutine: park.GoID(),
		Panics: []park.Panic{{Message: err.Error()}}})
	park.Flush()
	panic(err) // SAMPLE:app-render
}

func main() {
	out := log.New(os.Stdout, "", log.LstdFlags|log.Lmicroseconds|log.LUTC)
	log.SetFlags(log.LstdFlags | log.Lmicroseconds | log.LUTC)
	out.Printf("cartsvc 1.8.3 starting, pid %d", os.Getpid())

	p := &pricer{quotes: make(chan float64)}
	fetchers := park.New("app-fetch", "chan-recv", 4)
	for i := 0; i < 4; i++ {
		go p.fetch(fetchers, i)
	}
	fetchers.Settle()

	var audit sync.Mutex
	audit.Lock()
	auditors := park.New("app-audit", "mutex", 2)
	for i := 0; i < 2; i++ {
		go flushAudit(auditors, i, &audit)
	}
	auditors.Settle()

	reapers := park.New("app-reaper", "sleep", 1)
	go reap(reapers, 0)
	reapers.Settle()

	events, quit := make(chan string), make(chan struct{})
	subs := park.New("app-subscribe", "select", 3)
	for i := 0; i < 3; i++ {
		go subscribe(subs, i, events, quit)
	}
	subs.Settle()

	out.Printf("listening on :8080")
	log.Printf("warning: price cache cold, %d fetchers waiting", 4)
	out.Printf(`GET /cart/17?view=<full>&lang=en 200 3.1ms`)
	out.Printf(`POST /cart/17/checkout "R&D card" 500`)
	render(17)
}
