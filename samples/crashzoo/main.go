// Command crashzoo crashes in one of several ways, chosen by its argument.
//
// Before crashing it writes a manifest of what it set up (one JSON object per
// line) to the file named by $CRASHZOO_MANIFEST, or to stdout when unset. The
// lines where goroutines park or panic are marked with "SAMPLE:<key>".
package main

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

// record is one manifest line.
type record struct {
	Kind      string  `json:"kind"` // "group" or "crash"
	Key       string  `json:"key"`
	Block     string  `json:"block,omitempty"`
	IDs       []int64 `json:"ids,omitempty"`
	Func      string  `json:"func,omitempty"`
	CreatedBy string  `json:"created_by,omitempty"`
	CreatedIn int64   `json:"created_in,omitempty"`
	// crash records
	Panics     []panicRec `json:"panics,omitempty"`
	FatalError string     `json:"fatal_error,omitempty"`
	Signal     string     `json:"signal,omitempty"`
	Goroutine  int64      `json:"goroutine,omitempty"`
}

type panicRec struct {
	Message   string `json:"message"`
	Recovered bool   `json:"recovered"`
	// Repanicked is true when the value was recovered and then panicked
	// again unchanged (Go 1.25+ prints "[recovered, repanicked]").
	Repanicked bool `json:"repanicked"`
}

var (
	manifest   []record
	manifestMu sync.Mutex
)

func emit(r record) {
	manifestMu.Lock()
	manifest = append(manifest, r)
	manifestMu.Unlock()
}

// flush writes the manifest; it must run before the crash.
func flush() {
	manifestMu.Lock()
	defer manifestMu.Unlock()
	var b strings.Builder
	for _, r := range manifest {
		j, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		b.WriteString("MANIFEST " + string(j) + "\n")
	}
	if path := os.Getenv("CRASHZOO_MANIFEST"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "crashzoo:", err)
			os.Exit(1)
		}
		return
	}
	os.Stdout.WriteString(b.String())
}

func goid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	line := strings.TrimPrefix(string(buf[:n]), "goroutine ")
	id, err := strconv.ParseInt(line[:strings.IndexByte(line, ' ')], 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

func callerName(skip int) string {
	pcs := make([]uintptr, 1)
	runtime.Callers(skip+1, pcs)
	fr, _ := runtime.CallersFrames(pcs).Next()
	return fr.Function
}

// probe runs f and returns what it panicked with, as the runtime prints it.
func probe(f func()) (msg string) {
	defer func() {
		r := recover()
		switch v := r.(type) {
		case error:
			msg = v.Error()
		case fmt.Stringer:
			msg = v.String()
		default:
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return ""
}

// parked is a set of goroutines that wait at one line while the crash happens.
type parked struct {
	rec record
	mu  sync.Mutex
	wg  sync.WaitGroup
}

func park(key, block string, n int) *parked {
	p := &parked{rec: record{Kind: "group", Key: key, Block: block, IDs: make([]int64, n), CreatedBy: callerName(2), CreatedIn: goid()}}
	p.wg.Add(n)
	return p
}

func (p *parked) arrive(i int) {
	name := callerName(2)
	p.mu.Lock()
	p.rec.IDs[i] = goid()
	p.rec.Func = name
	p.mu.Unlock()
	p.wg.Done()
}

// settle waits until the group has arrived, gives it a moment to block, and
// records it in the manifest.
func (p *parked) settle() {
	p.wg.Wait()
	waitParked(p.rec.IDs)
	sort.Slice(p.rec.IDs, func(i, j int) bool { return p.rec.IDs[i] < p.rec.IDs[j] })
	emit(p.rec)
}

// waitParked polls all stacks until none of ids is running or runnable.
func waitParked(ids []int64) {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n := runtime.Stack(buf, true)
		busy := false
		for _, id := range ids {
			i := strings.Index(string(buf[:n]), fmt.Sprintf("goroutine %d [", id))
			if i < 0 {
				busy = true
				continue
			}
			rest := string(buf[i : i+64])
			if strings.Contains(rest, "[running") || strings.Contains(rest, "[runnable") {
				busy = true
			}
		}
		if !busy {
			return
		}
	}
	fmt.Fprintln(os.Stderr, "crashzoo: goroutines did not park")
	os.Exit(3)
}

func crashRecord(key string, panics ...panicRec) record {
	return record{Kind: "crash", Key: key, Func: callerName(2), Goroutine: goid(), Panics: panics}
}

var scenarios = map[string]func(){
	"nilmap":        nilMap,
	"index":         index,
	"nilptr":        nilPtr,
	"customerr":     customErr,
	"goroutine":     inGoroutine,
	"repanic-new":   repanicNew,
	"repanic-same":  repanicSame,
	"multiline":     multiline,
	"deadlock":      deadlock,
	"mapwrites":     mapWrites,
	"stackoverflow": stackOverflow,
}

func main() {
	if len(os.Args) != 2 || scenarios[os.Args[1]] == nil {
		names := make([]string, 0, len(scenarios))
		for k := range scenarios {
			names = append(names, k)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: crashzoo <%s>\n", strings.Join(names, "|"))
		os.Exit(64)
	}
	fmt.Printf("crashzoo: running scenario %s\n", os.Args[1])
	scenarios[os.Args[1]]()
	fmt.Fprintln(os.Stderr, "crashzoo: scenario did not crash")
	os.Exit(1)
}
