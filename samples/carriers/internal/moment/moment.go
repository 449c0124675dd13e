// Package moment lets the test binaries of several packages, run at once by
// "go test -p 4 ./...", agree on the instant one of them writes its goroutine
// dump, so that the others print output at that very time and go test -json
// interleaves their events with the dump's.
//
// The instant is a Unix time in nanoseconds in the file named by
// $CARRIERS_SYNC. Without that variable nothing waits.
package moment

import (
	"flag"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Publish records when the dump will be written.
func Publish(at time.Time) {
	path := os.Getenv("CARRIERS_SYNC")
	if path == "" {
		return
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(at.UnixNano(), 10)), 0o644); err != nil {
		panic(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		panic(err)
	}
}

// Wait returns the published instant, waiting for it up to limit.
func Wait(limit time.Duration) (time.Time, bool) {
	path := os.Getenv("CARRIERS_SYNC")
	if path == "" {
		return time.Time{}, false
	}
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			continue
		}
		return time.Unix(0, ns), true
	}
	return time.Time{}, false
}

// Chatter calls say every step, from before to after the published
// instant, and returns how many lines it said. It sleeps with nanosleep(2),
// which keeps its own thread and wakes on time, where time.Sleep would wake
// all the process's sleepers together about once a millisecond.
func Chatter(say func(i int), before, after, step time.Duration) int {
	at, ok := Wait(60 * time.Second)
	if !ok {
		return 0
	}
	time.Sleep(time.Until(at.Add(-before)))
	i := 0
	for end := at.Add(after); time.Now().Before(end); i++ {
		say(i)
		ts := syscall.NsecToTimespec(int64(step))
		_ = syscall.Nanosleep(&ts, nil)
	}
	return i
}

// Main runs a talking package's tests. In the timeout case the crash package
// hangs until -timeout, so a talking package switches its own alarm off to be
// still alive, and talking, when the crash package's alarm fires.
func Main(m *testing.M) {
	flag.Parse()
	if os.Getenv("CARRIERS_CASE") == "timeout" {
		if err := flag.Set("test.timeout", "0"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
