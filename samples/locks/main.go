// Command locks parks goroutines on locks and channels whose topology is known
// by construction: which goroutines wait on one shared object, which each wait
// on an object of their own, and which goroutine holds the lock others wait for.
//
// At start-up it parks its groups, each at a line marked with a "SAMPLE:<key>"
// comment, prints one "MANIFEST {json}" line per group (goroutine ids from
// runtime.Stack, the function and file from runtime.CallersFrames, and the
// address of the object each goroutine waits on, printed with %p), then
// "LISTEN <addr>" and "READY", and serves net/http/pprof on a random loopback
// port until it is killed.
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

// object names what a group's goroutines wait on.
type object struct {
	Name   string `json:"name"`   // a name local to the program, e.g. "storeMu"
	Type   string `json:"type"`   // "sync.Mutex", "chan int", ...
	Shared bool   `json:"shared"` // one object for every member, or one each
}

// group is a set of goroutines parked on purpose at one line.
type group struct {
	Key       string            `json:"key"`
	Block     string            `json:"block"` // kind of wait, mapped to a wait reason by the capture script
	IDs       []int64           `json:"ids"`
	Func      string            `json:"func"`       // the parked function as the runtime names it
	File      string            `json:"file"`       // basename of the file holding the marker
	CreatedBy string            `json:"created_by"` // the function that ran the go statement
	CreatedIn int64             `json:"created_in"` // goroutine id of the creator
	Object    object            `json:"object"`
	Addrs     map[string]string `json:"addrs"`   // goroutine id -> address (%p) of the object it waits on
	HeldBy    string            `json:"held_by"` // key of the group whose goroutine holds the lock, if any
	Holds     []string          `json:"holds"`   // names of the objects this group's goroutine holds

	mu   sync.Mutex
	wg   sync.WaitGroup
	objs []string // member i -> its object's address, set before it starts
}

var groups []*group

// newGroup registers n goroutines that wait on obj; addrs[i] is the address
// of the object member i waits on. The caller runs the go statements.
func newGroup(key, block string, obj object, addrs []string) *group {
	g := &group{
		Key: key, Block: block, IDs: make([]int64, len(addrs)), Object: obj,
		Addrs: map[string]string{}, Holds: []string{}, objs: addrs,
		CreatedBy: callerName(2), CreatedIn: goid(),
	}
	g.wg.Add(len(addrs))
	groups = append(groups, g)
	return g
}

// same returns n copies of one address: every member waits on the same object.
func same(addr string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = addr
	}
	return out
}

// arrive records the calling goroutine as member i. It is called from the
// parked function right before the line it parks at, and never blocks for long.
func (g *group) arrive(i int) {
	_, file, _, _ := runtime.Caller(1)
	name := callerName(2)
	id := goid()
	g.mu.Lock()
	g.IDs[i] = id
	g.Addrs[strconv.FormatInt(id, 10)] = g.objs[i]
	g.Func = name
	g.File = file[strings.LastIndexByte(file, '/')+1:]
	g.mu.Unlock()
	g.wg.Done()
}

// goid reads the current goroutine's id from "goroutine 18 [running]:".
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

// parkedIn is text each member's stack shows once it waits where it should
// (a Cond waiter must not be caught on the Cond's mutex, for instance).
var parkedIn = map[string]string{
	"chan-recv":     "[chan receive",
	"mutex":         "(*Mutex).lockSlow(",
	"rwmutex-rlock": "(*RWMutex).RLock(",
	"waitgroup":     "(*WaitGroup).Wait(",
	"cond":          "(*Cond).Wait(",
}

// waitParked polls a full stack dump until every member of every group is
// waiting (neither running nor runnable) inside its group's function.
func waitParked() {
	deadline := time.Now().Add(20 * time.Second)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		stacks := map[int64]string{}
		for _, rec := range strings.Split(string(buf[:n]), "\n\n") {
			rest := strings.TrimPrefix(rec, "goroutine ")
			if sp := strings.IndexByte(rest, ' '); sp > 0 {
				if id, err := strconv.ParseInt(rest[:sp], 10, 64); err == nil {
					stacks[id] = rest
				}
			}
		}
		missing := ""
		for _, g := range groups {
			for _, id := range g.IDs {
				s := stacks[id]
				if strings.Contains(s, "[running") || strings.Contains(s, "[runnable") || !strings.Contains(s, g.Func+"(") ||
					!strings.Contains(s, parkedIn[g.Block]) {
					missing = fmt.Sprintf("%s goroutine %d (want %s):\n%s", g.Key, id, g.Func, s)
				}
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "locks: not parked:", missing)
			os.Exit(3)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// arrived waits until every member of g has reached its parking line.
func (g *group) arrived() *group {
	g.wg.Wait()
	return g
}

func main() {
	// Start everything from one P so goroutine ids come out in a fixed order
	// (the capture script also sets GOMAXPROCS=1 for the runtime's own
	// start-up), then use every CPU.
	runtime.GOMAXPROCS(1)
	startStore()
	startChans()
	startSyncs()
	for _, g := range groups {
		g.arrived()
	}
	waitParked()
	runtime.GOMAXPROCS(runtime.NumCPU())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "locks:", err)
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
