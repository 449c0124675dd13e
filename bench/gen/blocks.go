package main

// The ways a goroutine ends up blocked. Each block function first reports that the
// goroutine has arrived (so main knows when to print READY) and then blocks forever.

import (
	"context"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

type blockKind int

const (
	bChanRecv blockKind = iota
	bChanSend
	bNilRecv
	bNilSend
	bSelect
	bSelectCtx
	bSelectEmpty
	bMutex
	bRLock
	bWLock
	bWaitGroup
	bCond
	bSleep
	bTimer
	bCtxDone
	bNetRead
	bPipeRead
	bSyscall // one OS thread each: capped
	bLocked  // one OS thread each: capped
	numBlockKinds
)

// bulkKinds may hold any number of goroutines.
var bulkKinds = []blockKind{
	bChanRecv, bChanSend, bNilRecv, bNilSend, bSelect, bSelectCtx, bSelectEmpty, bMutex,
	bRLock, bWLock, bWaitGroup, bCond, bSleep, bTimer, bCtxDone, bNetRead, bPipeRead,
}

var blockFuncs = [numBlockKinds]func(sh *shape, arg uintptr){
	bChanRecv:    waitForReply,
	bChanSend:    publishResult,
	bNilRecv:     recvDisabled,
	bNilSend:     sendDisabled,
	bSelect:      awaitEither,
	bSelectCtx:   awaitWithContext,
	bSelectEmpty: parkForever,
	bMutex:       lockState,
	bRLock:       readSnapshot,
	bWLock:       writeSnapshot,
	bWaitGroup:   joinWorkers,
	bCond:        waitForWork,
	bSleep:       backoffSleep,
	bTimer:       waitTimer,
	bCtxDone:     waitCancel,
	bNetRead:     readPeer,
	bPipeRead:    readPipe,
	bSyscall:     rawRead,
	bLocked:      lockedLoop,
}

// resources shared by the goroutines of one shape.
type resources struct {
	ch     chan int
	reply  chan int
	mu     sync.Mutex
	rw     sync.RWMutex
	wg     sync.WaitGroup
	cond   *sync.Cond
	ctx    context.Context
	cancel context.CancelFunc // never called
}

func newResources(kind blockKind) *resources {
	r := &resources{ch: make(chan int), reply: make(chan int)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.cond = sync.NewCond(&sync.Mutex{})
	switch kind {
	case bMutex:
		r.mu.Lock() // held by nobody that will ever unlock it
	case bRLock:
		r.rw.Lock()
	case bWLock:
		r.rw.RLock()
	case bWaitGroup:
		r.wg.Add(1)
	}
	return r
}

//go:noinline
func waitForReply(sh *shape, arg uintptr) {
	arrived()
	<-sh.res.reply
}

//go:noinline
func publishResult(sh *shape, arg uintptr) {
	arrived()
	sh.res.ch <- int(arg)
}

//go:noinline
func recvDisabled(sh *shape, arg uintptr) {
	var c chan int
	arrived()
	<-c
}

//go:noinline
func sendDisabled(sh *shape, arg uintptr) {
	var c chan int
	arrived()
	c <- int(arg)
}

//go:noinline
func awaitEither(sh *shape, arg uintptr) {
	arrived()
	select {
	case <-sh.res.ch:
	case <-sh.res.reply:
	}
}

//go:noinline
func awaitWithContext(sh *shape, arg uintptr) {
	arrived()
	select {
	case <-sh.res.ctx.Done():
	case v := <-sh.res.reply:
		_ = v
	}
}

//go:noinline
func parkForever(sh *shape, arg uintptr) {
	arrived()
	select {}
}

//go:noinline
func lockState(sh *shape, arg uintptr) {
	arrived()
	sh.res.mu.Lock()
}

//go:noinline
func readSnapshot(sh *shape, arg uintptr) {
	arrived()
	sh.res.rw.RLock()
}

//go:noinline
func writeSnapshot(sh *shape, arg uintptr) {
	arrived()
	sh.res.rw.Lock()
}

//go:noinline
func joinWorkers(sh *shape, arg uintptr) {
	arrived()
	sh.res.wg.Wait()
}

//go:noinline
func waitForWork(sh *shape, arg uintptr) {
	c := sh.res.cond
	c.L.Lock()
	arrived()
	for {
		c.Wait()
	}
}

//go:noinline
func backoffSleep(sh *shape, arg uintptr) {
	arrived()
	for {
		time.Sleep(24 * time.Hour)
	}
}

//go:noinline
func waitTimer(sh *shape, arg uintptr) {
	t := time.NewTimer(24 * time.Hour)
	arrived()
	<-t.C
}

//go:noinline
func waitCancel(sh *shape, arg uintptr) {
	arrived()
	<-sh.res.ctx.Done()
}

// Loopback connections whose peer never writes. The first maxConns goroutines that read
// get a connection of their own and wait in the network poller; the others share one and
// wait for its read lock, as goroutines piling up on a shared connection do.
var (
	connMu    sync.Mutex
	conns     []net.Conn
	connsNext int
	listener  net.Listener
	maxConns  = 256
	pipeMu    sync.Mutex
	pipes     []*os.File
	pipesNext int
	maxPipes  = 32
)

func nextConn() net.Conn {
	connMu.Lock()
	defer connMu.Unlock()
	if len(conns) < maxConns {
		c, err := net.Dial("tcp", listener.Addr().String())
		if err == nil {
			conns = append(conns, c)
			return c
		}
	}
	if len(conns) == 0 {
		return nil
	}
	connsNext++
	return conns[connsNext%len(conns)]
}

//go:noinline
func readPeer(sh *shape, arg uintptr) {
	c := nextConn()
	arrived()
	if c == nil {
		select {}
	}
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			select {}
		}
	}
}

func nextPipe() *os.File {
	pipeMu.Lock()
	defer pipeMu.Unlock()
	if len(pipes) < maxPipes {
		r, w, err := os.Pipe()
		if err == nil {
			keep = append(keep, w)
			pipes = append(pipes, r)
			return r
		}
	}
	if len(pipes) == 0 {
		return nil
	}
	pipesNext++
	return pipes[pipesNext%len(pipes)]
}

var keep []any

//go:noinline
func readPipe(sh *shape, arg uintptr) {
	r := nextPipe()
	arrived()
	if r == nil {
		select {}
	}
	buf := make([]byte, 64)
	for {
		if _, err := r.Read(buf); err != nil {
			select {}
		}
	}
}

// rawRead blocks in a read(2) on a blocking pipe: the goroutine stays in [syscall] and
// holds its OS thread.
//
//go:noinline
func rawRead(sh *shape, arg uintptr) {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		arrived()
		select {}
	}
	pipeMu.Lock()
	keep = append(keep, fds)
	pipeMu.Unlock()
	buf := make([]byte, 16)
	arrived()
	for {
		if _, err := syscall.Read(fds[0], buf); err != nil && err != syscall.EINTR {
			select {}
		}
	}
}

//go:noinline
func lockedLoop(sh *shape, arg uintptr) {
	runtime.LockOSThread()
	arrived()
	<-sh.res.reply
}
