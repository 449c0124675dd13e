// Command gtriagebench starts N goroutines blocked in a few hundred stack shapes and serves
// their dumps on 127.0.0.1, for gtriage's benchmark (bench/run.py).
//
//	gtriagebench -n 100000 [-shapes 300] [-zipf 1.1] [-seed 1]
//
// It prints "LISTEN 127.0.0.1:PORT", then "READY" once every goroutine is blocked, and serves
// /debug/pprof/goroutine?debug=1|2 (net/http/pprof) and /full, the whole text of
// runtime.Stack(buf, true), never truncated. SIGQUIT with GOTRACEBACK=all prints the dump on
// stderr. Standard library only.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

type shape struct {
	id      int
	name    string
	path    []uint8 // indexes into steps
	kind    blockKind
	block   func(sh *shape, arg uintptr)
	res     *resources
	perG    bool // arguments differ per goroutine
	labels  bool // runs under pprof.Do
	creator int  // who starts its goroutines: see startShape
	entry   int  // index into entries
	count   int
}

var arrivals sync.WaitGroup

func arrived() { arrivals.Done() }

var tenants = []string{"acme", "globex", "initech", "umbrella"}

// entries are the functions a worker goroutine starts in.
var entries = []func(sh *shape, j int){workerMain, handleStream, (&pool{size: 8}).loop}

//go:noinline
func workerMain(sh *shape, j int) { begin(sh, j) }

//go:noinline
func handleStream(sh *shape, j int) { begin(sh, j) }

type pool struct{ size int }

//go:noinline
func (p *pool) loop(sh *shape, j int) { begin(sh, j) }

func argFor(sh *shape, j int) uintptr {
	if sh.perG {
		return uintptr(j)
	}
	return 0x2a
}

//go:noinline
func begin(sh *shape, j int) {
	if !sh.labels {
		steps[sh.path[0]](sh, 0, argFor(sh, j))
		return
	}
	labels := pprof.Labels("shape", sh.name, "tenant", tenants[j%len(tenants)])
	pprof.Do(context.Background(), labels, func(ctx context.Context) {
		steps[sh.path[0]](sh, 0, argFor(sh, j))
	})
}

// supervisor starts the goroutines of a shape from a goroutine of its own and then waits,
// so they print "created by main.(*supervisor).spawn in goroutine N".
type supervisor struct {
	sh   *shape
	stop chan struct{}
}

//go:noinline
func (s *supervisor) spawn(nested bool) {
	if nested {
		child := &supervisor{sh: s.sh, stop: s.stop}
		go child.spawn(false)
	} else {
		entry := entries[s.sh.entry]
		for j := 0; j < s.sh.count; j++ {
			go entry(s.sh, j)
		}
	}
	<-s.stop
}

func startShape(sh *shape, stop chan struct{}) {
	entry := entries[sh.entry]
	switch sh.creator {
	case 0:
		for j := 0; j < sh.count; j++ {
			go entry(sh, j)
		}
	case 1:
		go (&supervisor{sh: sh, stop: stop}).spawn(false)
	case 2:
		launch := func() {
			for j := 0; j < sh.count; j++ {
				go entry(sh, j)
			}
			<-stop
		}
		go launch()
	default:
		go (&supervisor{sh: sh, stop: stop}).spawn(true)
	}
}

// zipfCounts splits n over k shapes with weights 1/(r+1)^s, every shape at least one when
// n >= k.
func zipfCounts(n, k int, s float64) []int {
	w := make([]float64, k)
	total := 0.0
	for r := range w {
		w[r] = 1 / math.Pow(float64(r+1), s)
		total += w[r]
	}
	counts := make([]int, k)
	used := 0
	for r := range w {
		counts[r] = int(float64(n) * w[r] / total)
		if counts[r] == 0 && n >= k {
			counts[r] = 1
		}
		used += counts[r]
	}
	counts[0] += n - used
	return counts
}

func makeShapes(n, k int, s float64, seed int64, threadCap int) []*shape {
	counts := zipfCounts(n, k, s)
	shapes := make([]*shape, k)
	for r := 0; r < k; r++ {
		rng := rand.New(rand.NewSource(seed*1000003 + int64(r)))
		depth := 2 + rng.Intn(35)
		path := make([]uint8, depth)
		for i := range path {
			path[i] = uint8(rng.Intn(len(steps)))
		}
		kind := bulkKinds[rng.Intn(len(bulkKinds))]
		if r < len(bulkKinds) {
			kind = bulkKinds[(r*7)%len(bulkKinds)]
		}
		shapes[r] = &shape{
			id:      r,
			name:    "s" + strconv.Itoa(r),
			path:    path,
			kind:    kind,
			perG:    rng.Intn(3) == 0,
			labels:  rng.Intn(4) == 0,
			creator: rng.Intn(4),
			entry:   rng.Intn(len(entries)),
			count:   counts[r],
		}
	}
	// A few tail shapes block holding an OS thread each: keep them small.
	for i := 1; i <= 6 && i < k; i++ {
		sh := shapes[k-i]
		sh.kind = bSyscall
		if i%2 == 0 {
			sh.kind = bLocked
		}
		if sh.count > threadCap {
			shapes[0].count += sh.count - threadCap
			sh.count = threadCap
		}
	}
	for _, sh := range shapes {
		sh.block = blockFuncs[sh.kind]
		sh.res = newResources(sh.kind)
	}
	return shapes
}

// holdConn is the server side of a loopback connection: it waits for a request that never
// comes.
//
//go:noinline
func holdConn(c net.Conn) {
	buf := make([]byte, 1024)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

func acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go holdConn(c)
	}
}

// fullDump writes every goroutine's stack, growing the buffer until runtime.Stack fits.
func fullDump(w http.ResponseWriter, r *http.Request) {
	size := runtime.NumGoroutine() * 4096
	if size < 1<<20 {
		size = 1 << 20
	}
	buf := make([]byte, size)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	_, _ = w.Write(buf)
}

func main() {
	n := flag.Int("n", 10000, "goroutines to start (besides supervisors, connections and the server)")
	nshapes := flag.Int("shapes", 300, "stack shapes")
	zipf := flag.Float64("zipf", 1.1, "Zipf exponent of the goroutines per shape")
	seed := flag.Int64("seed", 1, "seed of the shapes")
	threadCap := flag.Int("thread-cap", 4, "goroutines per shape that hold an OS thread (syscall, LockOSThread)")
	flag.IntVar(&maxConns, "conns", 256, "loopback connections for the network-wait shapes")
	flag.Parse()
	if *nshapes < 8 {
		*nshapes = 8
	}

	srv, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	listener, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	go acceptLoop(listener)
	http.HandleFunc("/full", fullDump)
	go func() { _ = http.Serve(srv, nil) }()
	fmt.Printf("LISTEN %s\n", srv.Addr())

	shapes := makeShapes(*n, *nshapes, *zipf, *seed, *threadCap)
	total := 0
	for _, sh := range shapes {
		total += sh.count
	}
	arrivals.Add(total)
	stop := make(chan struct{})
	for _, sh := range shapes {
		startShape(sh, stop)
	}
	arrivals.Wait()
	time.Sleep(300*time.Millisecond + time.Duration(total)*2*time.Microsecond)
	fmt.Printf("SHAPES %d GOROUTINES %d\n", len(shapes), runtime.NumGoroutine())
	fmt.Println("READY")
	select {}
}
