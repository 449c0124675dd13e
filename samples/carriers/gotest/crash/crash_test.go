package crash

import (
	"flag"
	"os"
	"sync"
	"testing"
	"time"

	"example.com/carriers/internal/moment"
	"example.com/carriers/internal/park"
)

// lead is how long a failing test announces its moment in advance, so that
// the talking packages' test binaries are running by then.
const lead = 2500 * time.Millisecond

func only(t *testing.T, which string) {
	if os.Getenv("CARRIERS_CASE") != which {
		t.Skipf("set CARRIERS_CASE=%s to run this failing test", which)
	}
}

func sleepUntil(at time.Time) {
	time.Sleep(time.Until(at))
}

// parkWorkers parks three order workers, two ledger waiters and 12 session
// watchers; the caller must keep ledger locked. The sessions make the dump
// long enough to take go test a few reads of the pipe, between which the
// other packages' events get in.
func parkWorkers(ledger *sync.Mutex) {
	orders := make(chan Order)
	w := park.New("gotest-orders", "chan-recv", 3)
	for i := 0; i < 3; i++ {
		go waitOrder(w, i, orders)
	}
	w.Settle()
	l := park.New("gotest-ledger", "mutex", 2)
	for i := 0; i < 2; i++ {
		go lockLedger(l, i, ledger)
	}
	l.Settle()
	done, evict := make(chan struct{}), make(chan int)
	s := park.New("gotest-sessions", "select", 12)
	for i := 0; i < 12; i++ {
		go watchSession(s, i, done, evict)
	}
	s.Settle()
}

func TestCheckout(t *testing.T) {
	if (Order{ID: 1, Total: 10}).Total != 10 {
		t.Fatal("bad order")
	}
}

func TestPanic(t *testing.T) {
	only(t, "panic")
	var ledger sync.Mutex
	ledger.Lock()
	parkWorkers(&ledger)
	at := time.Now().Add(lead)
	moment.Publish(at)
	t.Logf("refunding order 42 at %s", at.Format(time.StampMicro))
	sleepUntil(at)
	refund(Order{ID: 42, Total: -5})
}

func TestHang(t *testing.T) {
	only(t, "timeout")
	var ledger sync.Mutex
	ledger.Lock()
	parkWorkers(&ledger)
	deadline, ok := t.Deadline()
	if !ok {
		t.Fatal("run with -timeout")
	}
	moment.Publish(deadline)
	// "testtimeout" is also crashzoo's name for this scenario.
	park.Emit(park.Record{Kind: "crash", Key: "testtimeout",
		Panics: []park.Panic{{Message: "test timed out after " + flag.Lookup("test.timeout").Value.String()}}})
	park.Emit(park.Record{Kind: "group", Key: "gotest-hang", Block: "chan-recv", IDs: []int64{park.GoID()},
		Func: park.Caller(0), CreatedBy: "testing.(*T).Run"})
	park.Flush()
	t.Logf("waiting for a reply that never comes; deadline %s", deadline.Format(time.StampMicro))
	never := make(chan struct{})
	<-never // SAMPLE:gotest-hang
}

func TestRace(t *testing.T) {
	only(t, "race")
	at := time.Now().Add(lead)
	moment.Publish(at)
	c := &tally{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		sleepUntil(at.Add(-20 * time.Millisecond))
		c.add(5)
	}()
	go func() {
		defer wg.Done()
		sleepUntil(at)
		t.Logf("total %d", c.total())
	}()
	wg.Wait()
	park.Emit(raceRecord())
	park.Flush()
}
