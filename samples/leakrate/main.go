// Command leakrate leaks goroutines at a known, controllable rate.
//
// It keeps a steady background (-steady goroutines parked forever on one
// select) and, on every "tick", changes four groups of goroutines by known
// amounts, each parked at a line marked with a "SAMPLE:<key>" comment:
//
//	steady   -steady goroutines in one select, from start-up on, never change
//	leak     -leak goroutines per tick, blocked on a channel receive nobody sends on
//	burst    -burst goroutines started on tick 2, blocked on a mutex, gone on tick 4
//	plateau  -plateau goroutines per tick for the first -plateau-ticks ticks, then no more
//
// Ticks are driven deterministically: POST or GET /tick advances one tick and
// answers only once every goroutine of every group is parked at its line (and
// the goroutines that must be gone have exited), so a dump taken right after
// it holds exactly the counts of the tick. With -interval D a timer also ticks
// every D, for watching a live process.
//
// At start-up (tick 0) and after every tick it prints one "MANIFEST {json}"
// line: the tick, the wall time, and for each group its count by construction,
// the ids of its goroutines, its blocking function and file:line (read from the
// markers in this very source file, embedded), and the function that creates
// it. Before the first tick it prints "LISTEN <addr>" and "READY". net/http/pprof
// is served on a loopback address (-addr, default a random port).
package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed main.go
var source string

const (
	burstStart = 2 // the tick that starts the burst
	burstEnd   = 4 // the tick that lets it finish
	settleFor  = 20 * time.Second
)

// group describes one set of goroutines parked deliberately at one marked line.
type group struct {
	Key       string  `json:"key"`
	Trend     string  `json:"trend"` // steady | grows | transient | plateau
	Count     int     `json:"count"` // by construction, for the current tick
	IDs       []int64 `json:"ids"`   // observed, ascending
	Func      string  `json:"func"`  // blocking function as tracebacks name it
	File      string  `json:"file"`  // basename of the file holding the marker
	Line      int     `json:"line"`  // the marked line
	CreatedBy string  `json:"created_by"`
	CreatedIn int64   `json:"created_in"` // goroutine id of the creator

	expect func(tick int) int
}

// manifest is what a MANIFEST line and a /tick answer hold.
type manifest struct {
	Tick   int            `json:"tick"`
	Time   string         `json:"time"` // UTC, when the tick had settled
	Flags  map[string]int `json:"flags"`
	Groups []*group       `json:"groups"`
}

// Server is a service whose handlers leak, whose pool fills up to a cap, and
// whose flushes queue up on a lock for a while.
type Server struct {
	leak, burst, plateau, plateauTicks, steady int

	interval time.Duration // also tick on a timer when > 0
	tick     int
	groups   []*group
	requests chan chan []byte // /tick asks the loop for one tick
	start    chan struct{}    // closed once READY is printed
	loopID   int64

	stop     chan struct{} // never closed
	wake     chan struct{} // never sent on
	flushMu  sync.Mutex
	flushing sync.WaitGroup
	pool     *Pool
	out      sync.Mutex // one stdout line at a time
}

// Pool starts workers whose results nobody reads.
type Pool struct {
	results chan int
}

// janitor waits forever for work that never comes: the steady background.
func (s *Server) janitor() {
	for {
		select { // SAMPLE:steady
		case <-s.stop:
			return
		case <-s.wake:
		}
	}
}

// handle serves one request and abandons it: nobody ever sends on reply.
func (s *Server) handle() {
	reply := make(chan string)
	go s.awaitReply(reply)
}

// awaitReply is the leak: one goroutine per request, blocked for good.
func (s *Server) awaitReply(reply chan string) {
	<-reply // SAMPLE:leak
}

// flushAll starts k flushes that queue on flushMu, which the tick holds.
func (s *Server) flushAll(k int) {
	s.flushMu.Lock()
	s.flushing.Add(k)
	for i := 0; i < k; i++ {
		go s.flush()
	}
}

// flush waits for the lock, then finishes: the transient burst.
func (s *Server) flush() {
	defer s.flushing.Done()
	s.flushMu.Lock() // SAMPLE:burst
	s.flushMu.Unlock()
}

// finishFlushes lets every queued flush through and waits for them.
func (s *Server) finishFlushes() {
	s.flushMu.Unlock()
	s.flushing.Wait()
}

// grow adds m workers to the pool.
func (p *Pool) grow(m int) {
	for i := 0; i < m; i++ {
		go p.worker(i)
	}
}

// worker blocks sending a result nobody reads: the plateau.
func (p *Pool) worker(n int) {
	p.results <- n // SAMPLE:plateau
}

func marker(key string) int {
	for i, line := range strings.Split(source, "\n") {
		if strings.HasSuffix(line, "// SAMPLE:"+key) {
			return i + 1
		}
	}
	panic("no marker " + key)
}

func newServer(leak, burst, plateau, plateauTicks, steady int, interval time.Duration) *Server {
	s := &Server{
		interval: interval,
		leak:     leak, burst: burst, plateau: plateau, plateauTicks: plateauTicks, steady: steady,
		requests: make(chan chan []byte),
		start:    make(chan struct{}),
		stop:     make(chan struct{}),
		wake:     make(chan struct{}),
		pool:     &Pool{results: make(chan int)},
	}
	def := func(key, trend, fn, createdBy string, expect func(int) int) *group {
		g := &group{Key: key, Trend: trend, Func: fn, File: "main.go", Line: marker(key),
			CreatedBy: createdBy, IDs: []int64{}, expect: expect}
		s.groups = append(s.groups, g)
		return g
	}
	steadyGroup := def("steady", "steady", "main.(*Server).janitor", "main.newServer",
		func(int) int { return steady })
	loopCreated := []*group{
		def("leak", "grows", "main.(*Server).awaitReply", "main.(*Server).handle",
			func(t int) int { return leak * t }),
		def("burst", "transient", "main.(*Server).flush", "main.(*Server).flushAll",
			func(t int) int {
				if t >= burstStart && t < burstEnd {
					return burst
				}
				return 0
			}),
		def("plateau", "plateau", "main.(*Pool).worker", "main.(*Pool).grow",
			func(t int) int {
				if t > plateauTicks {
					t = plateauTicks
				}
				return plateau * t
			}),
	}

	steadyGroup.CreatedIn = goid()
	for i := 0; i < steady; i++ {
		go s.janitor()
	}
	ids := make(chan int64)
	go s.loop(ids)
	s.loopID = <-ids
	for _, g := range loopCreated {
		g.CreatedIn = s.loopID
	}
	return s
}

// loop runs every tick, whether asked by /tick or by the -interval timer, so
// that every goroutine a tick starts has the same creator goroutine.
func (s *Server) loop(ids chan<- int64) {
	ids <- goid()
	<-s.start
	var timer <-chan time.Time
	if s.interval > 0 {
		timer = time.NewTicker(s.interval).C
	}
	for {
		var reply chan []byte
		select {
		case reply = <-s.requests:
		case <-timer:
		}
		b := s.advance()
		if reply != nil {
			reply <- b
		}
	}
}

// advance runs one tick, waits until it has settled, and prints its manifest.
func (s *Server) advance() []byte {
	s.tick++
	for i := 0; i < s.leak; i++ {
		s.handle()
	}
	if s.tick <= s.plateauTicks {
		s.pool.grow(s.plateau)
	}
	if s.tick == burstStart && s.burst > 0 {
		s.flushAll(s.burst)
	}
	if s.tick == burstEnd && s.burst > 0 {
		s.finishFlushes()
	}
	return s.settle()
}

// settle waits until the dump shows exactly the counts of the current tick,
// every goroutine parked at its group's line, then prints the manifest.
func (s *Server) settle() []byte {
	for _, g := range s.groups {
		g.Count = g.expect(s.tick)
	}
	err := waitFor(func(stacks map[int64]string) error { return s.check(stacks) })
	if err != nil {
		fmt.Fprintf(os.Stderr, "leakrate: tick %d did not settle: %v\n", s.tick, err)
		os.Exit(3)
	}
	// A GC stamps waiting goroutines with the time they started waiting, so
	// that dumps of a long-running process show ", N minutes".
	runtime.GC()
	b, err := json.Marshal(manifest{
		Tick: s.tick, Time: time.Now().UTC().Format(time.RFC3339Nano), Groups: s.groups,
		Flags: map[string]int{"leak": s.leak, "burst": s.burst, "plateau": s.plateau,
			"plateau-ticks": s.plateauTicks, "steady": s.steady},
	})
	if err != nil {
		panic(err)
	}
	s.out.Lock()
	fmt.Printf("MANIFEST %s\n", b)
	s.out.Unlock()
	return b
}

// check compares one full stack dump with the groups' counts and records the ids.
func (s *Server) check(stacks map[int64]string) error {
	for _, g := range s.groups {
		ids := []int64{}
		for id, st := range stacks {
			at, ok := frameAt(st, g.Func)
			if !ok {
				continue
			}
			if !parked(st) {
				return fmt.Errorf("%s: goroutine %d not parked yet", g.Key, id)
			}
			if want := fmt.Sprintf("/%s:%d", g.File, g.Line); !strings.HasSuffix(at, want) {
				return fmt.Errorf("%s: goroutine %d parked at %s, not %s", g.Key, id, at, want)
			}
			if !strings.Contains(st, "\ncreated by "+g.CreatedBy) {
				return fmt.Errorf("%s: goroutine %d not created by %s", g.Key, id, g.CreatedBy)
			}
			ids = append(ids, id)
		}
		if len(ids) != g.Count {
			return fmt.Errorf("%s: %d goroutines, want %d", g.Key, len(ids), g.Count)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		g.IDs = ids
	}
	return nil
}

// frameAt finds fn's frame in one goroutine's stack and returns its file:line.
func frameAt(stack, fn string) (string, bool) {
	lines := strings.Split(stack, "\n")
	for i := 1; i+1 < len(lines); i++ {
		if strings.HasPrefix(lines[i], fn+"(") {
			loc := strings.TrimSpace(lines[i+1])
			if sp := strings.IndexByte(loc, ' '); sp >= 0 {
				loc = loc[:sp]
			}
			return loc, true
		}
	}
	return "", false
}

// parked reports whether a goroutine's header shows it waiting.
func parked(stack string) bool {
	head := stack[:strings.IndexByte(stack+"\n", '\n')]
	return !strings.Contains(head, "[running") && !strings.Contains(head, "[runnable")
}

// waitFor polls full stack dumps until ok accepts one.
func waitFor(ok func(map[int64]string) error) error {
	deadline := time.Now().Add(settleFor)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		err := ok(splitStacks(string(buf[:n])))
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// splitStacks maps goroutine ids to their records ("goroutine N [state]:\n...").
func splitStacks(all string) map[int64]string {
	stacks := map[int64]string{}
	for _, rec := range strings.Split(all, "\n\n") {
		rest := strings.TrimPrefix(rec, "goroutine ")
		if sp := strings.IndexByte(rest, ' '); sp > 0 && len(rest) < len(rec) {
			if id, err := strconv.ParseInt(rest[:sp], 10, 64); err == nil {
				stacks[id] = rec
			}
		}
	}
	return stacks
}

// goid parses the current goroutine's id from "goroutine 18 [running]:".
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

// serveTick asks the loop for one tick and answers with its manifest once the
// loop itself is parked again.
func (s *Server) serveTick(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
		return
	}
	reply := make(chan []byte)
	s.requests <- reply
	b := <-reply
	err := waitFor(func(stacks map[int64]string) error {
		if st, ok := stacks[s.loopID]; !ok || !parked(st) {
			return errors.New("tick loop not parked")
		}
		return nil
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

func loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address", addr)
	}
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback `host:port` for /tick and /debug/pprof (port 0: random)")
	leak := flag.Int("leak", 10, "goroutines leaked per tick")
	burst := flag.Int("burst", 6, "goroutines of the burst that tick 2 starts and tick 4 ends")
	plateau := flag.Int("plateau", 4, "goroutines added to the pool per tick, for the first -plateau-ticks ticks")
	plateauTicks := flag.Int("plateau-ticks", 3, "ticks after which the pool stops growing")
	steady := flag.Int("steady", 5, "goroutines of the steady background")
	interval := flag.Duration("interval", 0, "also tick every `D` (0: only on /tick)")
	flag.Parse()
	for _, n := range []int{*leak, *burst, *plateau, *plateauTicks, *steady} {
		if n < 0 {
			fmt.Fprintln(os.Stderr, "leakrate: counts must not be negative")
			os.Exit(2)
		}
	}
	if err := loopback(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "leakrate:", err)
		os.Exit(2)
	}

	s := newServer(*leak, *burst, *plateau, *plateauTicks, *steady, *interval)
	s.settle() // tick 0: the steady background only
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "leakrate:", err)
		os.Exit(1)
	}
	http.HandleFunc("/tick", s.serveTick)
	s.out.Lock()
	fmt.Printf("LISTEN %s\nREADY\n", ln.Addr())
	s.out.Unlock()
	close(s.start)
	http.Serve(ln, nil) // net/http/pprof registers on the default mux
}
