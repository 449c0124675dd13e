package main

import (
	"fmt"
	"sync"
)

// Catalog is read-mostly; Reload write-locks it and then waits for a source
// that never answers.
type Catalog struct {
	rw     sync.RWMutex
	items  map[string]string
	source chan map[string]string
}

// Reload holds the write lock while it waits for the new items.
func (c *Catalog) Reload(g *group, i int) {
	c.rw.Lock()
	defer c.rw.Unlock()
	g.arrive(i)
	c.items = <-c.source // SAMPLE:catalog-writer
}

// Lookup waits for a read lock while Reload holds the write lock.
func (c *Catalog) Lookup(k string, g *group, i int) string {
	g.arrive(i)
	c.rw.RLock() // SAMPLE:catalog-readers
	defer c.rw.RUnlock()
	return c.items[k]
}

// waitBatch waits for a batch whose last worker never calls Done.
//
//go:noinline
func waitBatch(wg *sync.WaitGroup, g *group, i int) {
	g.arrive(i)
	wg.Wait() // SAMPLE:batch-wait
}

// Queue hands out items; Pop waits on a condition nobody signals.
type Queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
}

// Pop waits until an item is pushed.
func (q *Queue) Pop(g *group, i int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	g.arrive(i)
	for len(q.items) == 0 {
		q.cond.Wait() // SAMPLE:queue-cond
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

// Session has a mutex of its own; startSyncs locks each one and returns
// without unlocking it, so each Touch waits on a different mutex that no
// goroutine holds any more.
type Session struct {
	id int
	mu sync.Mutex
}

// Touch waits for the session's own mutex.
func (s *Session) Touch(g *group, i int) {
	g.arrive(i)
	s.mu.Lock() // SAMPLE:session-mutex
	defer s.mu.Unlock()
	s.id++
}

// startSyncs parks the RWMutex, WaitGroup, Cond and per-session mutex groups.
func startSyncs() {
	c := &Catalog{items: map[string]string{}, source: make(chan map[string]string)}
	src := object{Name: "catalogSource", Type: "chan map[string]string", Shared: true}
	w := newGroup("catalog-writer", "chan-recv", src, same(fmt.Sprintf("%p", c.source), 1))
	w.Holds = []string{"catalogRW"}
	go c.Reload(w, 0)
	w.arrived()
	rw := object{Name: "catalogRW", Type: "sync.RWMutex", Shared: true}
	r := newGroup("catalog-readers", "rwmutex-rlock", rw, same(fmt.Sprintf("%p", &c.rw), 5))
	r.HeldBy = w.Key
	for i := 0; i < 5; i++ {
		go c.Lookup("k", r, i)
	}

	batch := new(sync.WaitGroup)
	batch.Add(1)
	wg := object{Name: "batch", Type: "sync.WaitGroup", Shared: true}
	g := newGroup("batch-wait", "waitgroup", wg, same(fmt.Sprintf("%p", batch), 4))
	for i := 0; i < 4; i++ {
		go waitBatch(batch, g, i)
	}

	q := &Queue{}
	q.cond = sync.NewCond(&q.mu)
	cond := object{Name: "queueCond", Type: "sync.Cond", Shared: true}
	g = newGroup("queue-cond", "cond", cond, same(fmt.Sprintf("%p", q.cond), 5))
	for i := 0; i < 5; i++ {
		go q.Pop(g, i)
	}

	sessions := make([]*Session, 6)
	addrs := make([]string, len(sessions))
	for i := range sessions {
		sessions[i] = &Session{id: i}
		sessions[i].mu.Lock()
		addrs[i] = fmt.Sprintf("%p", &sessions[i].mu)
	}
	g = newGroup("session-mutex", "mutex", object{Name: "sessionMu", Type: "sync.Mutex"}, addrs)
	for i, s := range sessions {
		go s.Touch(g, i)
	}
}
