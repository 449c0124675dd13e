// Package park records, by construction, which goroutines a sample program
// parked where, and writes that record as "MANIFEST {json}" lines.
//
// The lines go to the file named by $CARRIERS_MANIFEST, or to stdout when it
// is unset, so that a capture script knows the goroutine ids without parsing
// the dump it is about to check.
package park

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record is one manifest line: a group of parked goroutines, a crash, or a race.
type Record struct {
	Kind      string  `json:"kind"` // "group", "crash" or "race"
	Key       string  `json:"key"`
	Block     string  `json:"block,omitempty"`
	IDs       []int64 `json:"ids,omitempty"`
	Func      string  `json:"func,omitempty"`
	CreatedBy string  `json:"created_by,omitempty"`
	CreatedIn int64   `json:"created_in,omitempty"`
	// crash records
	Panics    []Panic `json:"panics,omitempty"`
	Goroutine int64   `json:"goroutine,omitempty"`
	// race records: the access reported first, and the one before it
	Access   *Access `json:"access,omitempty"`
	Previous *Access `json:"previous,omitempty"`
}

// Panic is one panic of a crash, as the program raised it.
type Panic struct {
	Message   string `json:"message"`
	Recovered bool   `json:"recovered"`
	// Repanicked: recovered and panicked again with the same value (the
	// testing package does this); Go 1.25+ prints "[recovered, repanicked]".
	Repanicked bool `json:"repanicked"`
}

// Access is one side of a data race.
type Access struct {
	Op   string `json:"op"` // "read" or "write"
	Key  string `json:"key"`
	Func string `json:"func"`
}

var (
	mu      sync.Mutex
	records []Record
)

// Emit adds a record to the manifest.
func Emit(r Record) {
	mu.Lock()
	records = append(records, r)
	mu.Unlock()
}

// Flush writes the manifest; call it before the crash.
func Flush() {
	mu.Lock()
	defer mu.Unlock()
	var b strings.Builder
	for _, r := range records {
		j, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		b.WriteString("MANIFEST " + string(j) + "\n")
	}
	if path := os.Getenv("CARRIERS_MANIFEST"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "park:", err)
			os.Exit(1)
		}
		return
	}
	os.Stdout.WriteString(b.String())
}

// GoID is the id of the calling goroutine, read from its own stack header.
func GoID() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	line := strings.TrimPrefix(string(buf[:n]), "goroutine ")
	id, err := strconv.ParseInt(line[:strings.IndexByte(line, ' ')], 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

// Caller is the function name skip frames above the caller of Caller.
func Caller(skip int) string {
	pcs := make([]uintptr, 1)
	runtime.Callers(skip+2, pcs)
	fr, _ := runtime.CallersFrames(pcs).Next()
	return fr.Function
}

// Group is a set of goroutines that wait at one marked line.
type Group struct {
	rec Record
	mu  sync.Mutex
	wg  sync.WaitGroup
}

// New starts recording a group of n goroutines created by the caller.
func New(key, block string, n int) *Group {
	g := &Group{rec: Record{Kind: "group", Key: key, Block: block, IDs: make([]int64, n),
		CreatedBy: Caller(1), CreatedIn: GoID()}}
	g.wg.Add(n)
	return g
}

// Arrive is called by goroutine i of the group right before it blocks.
func (g *Group) Arrive(i int) {
	name := Caller(1)
	g.mu.Lock()
	g.rec.IDs[i] = GoID()
	g.rec.Func = name
	g.mu.Unlock()
	g.wg.Done()
}

// Settle waits until the whole group has arrived and blocked, then emits it.
func (g *Group) Settle() {
	g.wg.Wait()
	WaitBlocked(g.rec.IDs)
	sort.Slice(g.rec.IDs, func(i, j int) bool { return g.rec.IDs[i] < g.rec.IDs[j] })
	Emit(g.rec)
}

// WaitBlocked polls all stacks until none of ids is running or runnable.
func WaitBlocked(ids []int64) {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n := runtime.Stack(buf, true)
		all := string(buf[:n])
		busy := false
		for _, id := range ids {
			i := strings.Index(all, fmt.Sprintf("goroutine %d [", id))
			if i < 0 {
				busy = true
				continue
			}
			head := all[i:]
			if j := strings.IndexByte(head, '\n'); j >= 0 {
				head = head[:j]
			}
			if strings.Contains(head, "[running") || strings.Contains(head, "[runnable") {
				busy = true
			}
		}
		if !busy {
			return
		}
	}
	fmt.Fprintln(os.Stderr, "park: goroutines did not block")
	os.Exit(3)
}
