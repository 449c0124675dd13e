package main

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
)

func nilMap() {
	var m map[string]int
	msg := probe(func() { m["x"] = 1 })
	emit(crashRecord("nilmap", panicRec{Message: msg}))
	flush()
	m["answer"] = 42 // SAMPLE:nilmap
}

func index() {
	xs := []int{1, 2, 3}
	i := len(xs) + 2
	msg := probe(func() { _ = xs[i] })
	emit(crashRecord("index", panicRec{Message: msg}))
	flush()
	fmt.Println(xs[i]) // SAMPLE:index
}

type node struct {
	next *node
	val  int
}

func nilPtr() {
	var n *node
	msg := probe(func() { n.val = 1 })
	r := crashRecord("nilptr", panicRec{Message: msg})
	r.Signal = "SIGSEGV"
	emit(r)
	flush()
	n.val = 7 // SAMPLE:nilptr
}

// ValidationError is a custom error type used as a panic value.
type ValidationError struct {
	Field string
	Code  int
}

func (e *ValidationError) Error() string {
	return "validation failed: field " + strconv.Quote(e.Field) + " code " + strconv.Itoa(e.Code)
}

func customErr() {
	err := &ValidationError{Field: "email", Code: 422}
	emit(crashRecord("customerr", panicRec{Message: err.Error()}))
	flush()
	panic(err) // SAMPLE:customerr
}

// worker panics in its own goroutine while others are parked.
func worker(id int, done chan struct{}) {
	<-done
	msg := "worker " + strconv.Itoa(id) + " failed: queue corrupted"
	emit(crashRecord("goroutine", panicRec{Message: msg}))
	flush()
	panic(msg) // SAMPLE:goroutine
}

func waitJob(p *parked, i int, jobs chan int) {
	p.arrive(i)
	<-jobs // SAMPLE:goroutine-waiter
}

func holdLock(p *parked, i int, mu *sync.Mutex) {
	p.arrive(i)
	mu.Lock() // SAMPLE:goroutine-locker
}

func inGoroutine() {
	jobs := make(chan int)
	p := park("goroutine-waiter", "chan-recv", 3)
	for i := 0; i < 3; i++ {
		go waitJob(p, i, jobs)
	}
	p.settle()
	var mu sync.Mutex
	mu.Lock()
	q := park("goroutine-locker", "mutex", 1)
	go holdLock(q, 0, &mu)
	q.settle()
	done := make(chan struct{})
	go worker(3, done)
	close(done)
	select {} // main waits; the worker's panic ends the process
}

func repanicNew() {
	defer func() {
		r := recover()
		msg := fmt.Sprintf("cleanup failed after: %v", r)
		emit(crashRecord("repanic-new",
			panicRec{Message: "connection reset", Recovered: true},
			panicRec{Message: msg}))
		flush()
		panic(msg) // SAMPLE:repanic-new
	}()
	panic("connection reset")
}

func repanicSame() {
	defer func() {
		r := recover()
		emit(crashRecord("repanic-same", panicRec{Message: fmt.Sprint(r), Recovered: true, Repanicked: true}))
		flush()
		panic(r) // SAMPLE:repanic-same
	}()
	panic(errors.New("disk quota exceeded"))
}

func multiline() {
	msg := "config invalid:\n  line 3: unknown key \"timeout\"\n  line 9: port out of range"
	emit(crashRecord("multiline", panicRec{Message: msg}))
	flush()
	panic(msg) // SAMPLE:multiline
}

func blockedConsumer(p *parked, ch chan int) {
	p.arrive(0)
	<-ch // SAMPLE:deadlock-consumer
}

func deadlock() {
	ch := make(chan int)
	p := park("deadlock-consumer", "chan-recv", 1)
	go blockedConsumer(p, ch)
	p.settle()
	var wg sync.WaitGroup
	wg.Add(1)
	emit(record{Kind: "group", Key: "deadlock-main", Block: "waitgroup", IDs: []int64{goid()}, Func: callerName(1)})
	r := crashRecord("deadlock")
	r.Goroutine = 0
	r.FatalError = "all goroutines are asleep - deadlock!"
	emit(r)
	flush()
	wg.Wait() // SAMPLE:deadlock-main
}

func mapWriter(m map[int]int, base int) {
	for i := 0; ; i++ {
		m[base+i%64] = i // SAMPLE:mapwrites
	}
}

func mapWrites() {
	r := crashRecord("mapwrites")
	r.Goroutine = 0
	r.Func = ""
	r.FatalError = "concurrent map writes"
	emit(r)
	flush()
	m := map[int]int{}
	for i := 0; i < 4; i++ {
		go mapWriter(m, i*64)
	}
	select {}
}

func recurse(depth int, pad [16]int) int {
	pad[depth%16] = depth
	return recurse(depth+1, pad) + pad[0] // SAMPLE:stackoverflow
}

func stackOverflow() {
	debug.SetMaxStack(8 << 20)
	r := crashRecord("stackoverflow")
	r.Func = runtime.FuncForPC(reflect.ValueOf(recurse).Pointer()).Name() // the overflowing frame
	r.FatalError = "stack overflow"
	emit(r)
	flush()
	recurse(0, [16]int{})
}
