// Package crash is the package under test that fails, the way
// $CARRIERS_CASE says: "panic" (a test panics), "timeout" (a test hangs past
// go test -timeout) or "race" (a data race, under -race). Its lines of
// interest are marked "SAMPLE:<key>"; the tests write what they set up to
// $CARRIERS_MANIFEST (see internal/park).
package crash

import (
	"fmt"
	"sync"

	"example.com/carriers/internal/park"
)

// Order is what the workers wait for.
type Order struct {
	ID    int
	Total int
}

// waitOrder is a worker waiting for an order that never comes.
func waitOrder(g *park.Group, i int, orders <-chan Order) {
	g.Arrive(i)
	<-orders // SAMPLE:gotest-orders
}

// lockLedger waits for the ledger lock, which the test holds.
func lockLedger(g *park.Group, i int, ledger *sync.Mutex) {
	g.Arrive(i)
	ledger.Lock() // SAMPLE:gotest-ledger
}

// watchSession waits for a session to end or be evicted; neither happens.
func watchSession(g *park.Group, i int, done <-chan struct{}, evict <-chan int) {
	g.Arrive(i)
	select { // SAMPLE:gotest-sessions
	case <-done:
	case <-evict:
	}
}

// refund panics on a negative total; the message holds '<' and '&', which
// JSON encoders escape.
func refund(o Order) {
	if o.Total < 0 {
		msg := fmt.Sprintf("order %d: total %d < 0 & refund pending", o.ID, o.Total)
		park.Emit(park.Record{Kind: "crash", Key: "gotest-panic", Func: park.Caller(0), Goroutine: park.GoID(),
			Panics: []park.Panic{{Message: msg, Recovered: true, Repanicked: true}}})
		park.Flush()
		panic(msg) // SAMPLE:gotest-panic
	}
}

// tally is shared without a lock on purpose.
type tally struct {
	n int
}

var (
	notesMu sync.Mutex
	notes   = map[string]park.Access{}
)

// note records an access before it is made (the lock orders only the notes).
func note(op, key string) {
	fn := park.Caller(1)
	notesMu.Lock()
	notes[key] = park.Access{Op: op, Key: key, Func: fn}
	notesMu.Unlock()
}

func (t *tally) add(d int) {
	note("write", "gotest-race-write")
	t.n += d // SAMPLE:gotest-race-write
}

func (t *tally) total() int {
	note("read", "gotest-race-read")
	return t.n // SAMPLE:gotest-race-read
}

// raceRecord is the race the detector reports: the read, after the write.
func raceRecord() park.Record {
	notesMu.Lock()
	defer notesMu.Unlock()
	read, write := notes["gotest-race-read"], notes["gotest-race-write"]
	return park.Record{Kind: "race", Key: "gotest-race", Access: &read, Previous: &write}
}
