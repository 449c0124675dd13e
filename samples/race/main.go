// Command race has two data races on purpose; build it with -race.
//
// The accesses are ordered in time (but not synchronised), so the race
// detector reports the same access pairs every run. The manifest goes to
// stdout as "MANIFEST {json}" lines; the report goes to stderr.
package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

type access struct {
	Op        string `json:"op"` // "read" or "write"
	Func      string `json:"func"`
	Key       string `json:"key"` // marker key of the access line
	Goroutine int64  `json:"goroutine"`
}

type race struct {
	Access   access `json:"access"`
	Previous access `json:"previous"`
}

func goid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	line := strings.TrimPrefix(string(buf[:n]), "goroutine ")
	id, _ := strconv.ParseInt(line[:strings.IndexByte(line, ' ')], 10, 64)
	return id
}

func here() string {
	pcs := make([]uintptr, 1)
	runtime.Callers(2, pcs)
	fr, _ := runtime.CallersFrames(pcs).Next()
	return fr.Function
}

// Counter is shared without a lock.
type Counter struct {
	hits  int
	owner string
}

var (
	mu       sync.Mutex // guards accesses only
	accesses = map[string]access{}
)

func note(op, key, fn string) {
	mu.Lock()
	accesses[key] = access{Op: op, Func: fn, Key: key, Goroutine: goid()}
	mu.Unlock()
}

// record notes the access, then does it.
func (c *Counter) bump() {
	note("write", "race-write", here())
	c.hits++ // SAMPLE:race-write
}

func (c *Counter) report() int {
	note("read", "race-read", here())
	return c.hits // SAMPLE:race-read
}

func setOwner(c *Counter, name string, key string) {
	note("write", key, here())
	if key == "race-owner-first" {
		c.owner = name // SAMPLE:race-owner-first
	} else {
		c.owner = name // SAMPLE:race-owner-second
	}
}

func main() {
	c := &Counter{}
	var wg sync.WaitGroup
	wg.Add(4)
	go func() { defer wg.Done(); c.bump() }()
	time.Sleep(100 * time.Millisecond)
	go func() { defer wg.Done(); fmt.Println("hits:", c.report()) }()
	time.Sleep(100 * time.Millisecond)
	go func() { defer wg.Done(); setOwner(c, "alice", "race-owner-first") }()
	time.Sleep(100 * time.Millisecond)
	go func() { defer wg.Done(); setOwner(c, "bob", "race-owner-second") }()
	wg.Wait()

	races := []race{
		{Access: accesses["race-read"], Previous: accesses["race-write"]},
		{Access: accesses["race-owner-second"], Previous: accesses["race-owner-first"]},
	}
	for _, r := range races {
		b, _ := json.Marshal(r)
		fmt.Printf("MANIFEST %s\n", b)
	}
}
