// Command leaky is an HTTP service that leaks goroutines on purpose.
//
// At start-up it parks groups of goroutines at known source lines (each line
// is marked with a "SAMPLE:<key>" comment), prints one "MANIFEST {json}" line
// per group to stdout, forces a GC (so that dumps taken a minute later show
// "N minutes" in the goroutine headers), prints "LISTEN <addr>" and "READY",
// and then serves net/http/pprof on a random loopback port until it is killed.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// group describes one set of goroutines parked deliberately at one line.
type group struct {
	Key            string            `json:"key"`
	Block          string            `json:"block"` // kind of wait, mapped to a wait reason by capture.py
	IDs            []int64           `json:"ids"`
	Func           string            `json:"func"`       // blocking function as the runtime names it
	File           string            `json:"file"`       // basename of the file holding the marker
	CreatedBy      string            `json:"created_by"` // function that ran the go statement
	CreatedIn      int64             `json:"created_in"` // goroutine id of the creator
	LockedToThread bool              `json:"locked_to_thread"`
	Labels         map[string]string `json:"labels"`
	Unreachable    bool              `json:"unreachable"` // blocked on an object no running goroutine can reach

	mu sync.Mutex
	wg sync.WaitGroup
}

var groups []*group

// newGroup registers a group of n goroutines; each goroutine must call
// g.arrive(i) just before it blocks.
func newGroup(key, block string, n int) *group {
	g := &group{Key: key, Block: block, IDs: make([]int64, n), CreatedBy: callerName(2), CreatedIn: goid()}
	g.wg.Add(n)
	groups = append(groups, g)
	return g
}

// createdHere records the calling function as the creator of the group's
// goroutines; call it where the go statement is when that is not the
// function that called newGroup.
func (g *group) createdHere() {
	g.CreatedBy = callerName(2)
	g.CreatedIn = goid()
}

// arrive records the calling goroutine as member i of the group. It never
// blocks for long, so the only wait left after it is the deliberate one.
func (g *group) arrive(i int) {
	_, file, _, _ := runtime.Caller(1)
	name := callerName(2)
	g.mu.Lock()
	g.IDs[i] = goid()
	g.Func = name
	g.File = file[strings.LastIndexByte(file, '/')+1:]
	g.mu.Unlock()
	g.wg.Done()
}

// goid parses the current goroutine's id from the first line of its stack
// trace: "goroutine 18 [running]:".
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

// callerName returns the name of the function skip frames up, as tracebacks print it.
func callerName(skip int) string {
	pcs := make([]uintptr, 1)
	runtime.Callers(skip+1, pcs)
	fr, _ := runtime.CallersFrames(pcs).Next()
	return fr.Function
}

// waitParked polls a full stack dump until every registered goroutine is
// waiting (not running or runnable) inside its group's function.
func waitParked() {
	deadline := time.Now().Add(20 * time.Second)
	buf := make([]byte, 8<<20)
	for {
		n := runtime.Stack(buf, true)
		stacks := map[int64]string{}
		for _, rec := range strings.Split(string(buf[:n]), "\n\n") {
			rest := strings.TrimPrefix(rec, "goroutine ")
			sp := strings.IndexByte(rest, ' ')
			if sp < 0 {
				continue
			}
			id, err := strconv.ParseInt(rest[:sp], 10, 64)
			if err == nil {
				stacks[id] = rest
			}
		}
		missing := ""
		for _, g := range groups {
			for _, id := range g.IDs {
				s := stacks[id]
				if strings.Contains(s, "[running") || strings.Contains(s, "[runnable") || !strings.Contains(s, g.Func+"(") {
					missing = fmt.Sprintf("%s goroutine %d (want %s):\n%s", g.Key, id, g.Func, s)
				}
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "leaky: not parked:", missing)
			os.Exit(3)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func main() {
	// Start everything from one P so goroutine ids come out in a fixed order
	// (capture.py also sets GOMAXPROCS=1 so that the runtime's own start-up
	// is single-P), then use every CPU.
	runtime.GOMAXPROCS(1)
	startLeaks()
	for _, g := range groups {
		g.wg.Wait()
	}
	waitParked()
	runtime.GOMAXPROCS(runtime.NumCPU())
	// A GC scans every stack and stamps waiting goroutines with the time they
	// started waiting; only then can headers show ", N minutes".
	runtime.GC()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "leaky:", err)
		os.Exit(1)
	}
	var out bytes.Buffer
	for _, g := range groups {
		b, err := json.Marshal(g)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(&out, "MANIFEST %s\n", b)
	}
	fmt.Fprintf(&out, "LISTEN %s\nREADY\n", ln.Addr())
	os.Stdout.Write(out.Bytes())
	http.Serve(ln, nil) // net/http/pprof registers on the default mux
}

// startLeaks starts every group, in a fixed order.
func startLeaks() {
	startChans()
	startSyncs()
	startTimers()
	startNet()
	startMisc()
}
