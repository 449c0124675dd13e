package main

import (
	"os"
	"testing"
)

// TestHang blocks forever; run it with "go test -timeout 2s -run TestHang"
// to get the testing package's timeout panic and goroutine dump.
func TestHang(t *testing.T) {
	if os.Getenv("CRASHZOO_HANG") == "" {
		t.Skip("set CRASHZOO_HANG=1 to run the hanging test")
	}
	p := park("test-hang", "chan-send", 1)
	r := crashRecord("testtimeout", panicRec{Message: "test timed out after 2s"})
	r.Goroutine = 0
	r.Func = ""
	emit(r)
	go hangingHelper(p, make(chan struct{}))
	p.settle()
	ch := make(chan struct{})
	emit(record{Kind: "group", Key: "testtimeout", Block: "chan-recv", IDs: []int64{goid()}, Func: callerName(1),
		CreatedBy: "testing.(*T).Run"})
	flush()
	<-ch // SAMPLE:testtimeout
}

func hangingHelper(p *parked, ch chan struct{}) {
	p.arrive(0)
	ch <- struct{}{} // SAMPLE:test-hang
}
