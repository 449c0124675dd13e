package main

import "sync"

// Store guards its data with a mutex it shares with other copies of itself.
type Store struct {
	mu   *sync.Mutex
	data map[string]int
}

// Get is a value-receiver method that waits for the mutex.
func (s Store) Get(g *group, i int, key string) int {
	g.arrive(i)
	s.mu.Lock() // SAMPLE:mutex
	defer s.mu.Unlock()
	return s.data[key]
}

// Cache is read-mostly.
type Cache struct {
	rw sync.RWMutex
	m  map[string]string
}

// Lookup waits for a read lock while a writer holds the lock.
func (c *Cache) Lookup(g *group, i int, k string) string {
	g.arrive(i)
	c.rw.RLock() // SAMPLE:rwmutex-rlock
	defer c.rw.RUnlock()
	return c.m[k]
}

// Flush waits for the write lock while readers hold the lock.
func (c *Cache) Flush(g *group, i int) {
	g.arrive(i)
	c.rw.Lock() // SAMPLE:rwmutex-lock
	defer c.rw.Unlock()
	c.m = map[string]string{}
}

// waitAll is a generic function that waits for a WaitGroup that never finishes.
func waitAll[T any](g *group, i int, wg *sync.WaitGroup, results []T) []T {
	g.arrive(i)
	wg.Wait() // SAMPLE:waitgroup
	return results
}

// Box holds a value that becomes ready when someone signals its condition.
type Box[T any] struct {
	mu    sync.Mutex
	cond  *sync.Cond
	ready bool
	val   T
}

func newBox[T any]() *Box[T] {
	b := &Box[T]{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// Wait is a generic method that waits on a sync.Cond nobody signals.
func (b *Box[T]) Wait(g *group, i int) T {
	b.mu.Lock()
	g.arrive(i)
	for !b.ready {
		b.cond.Wait() // SAMPLE:cond
	}
	v := b.val
	b.mu.Unlock()
	return v
}

var (
	heldMutex   sync.Mutex // locked by startSyncs, never unlocked
	heldCache   = &Cache{} // write-locked by startSyncs, never unlocked
	readCache   = &Cache{} // read-locked by startSyncs, never unlocked
	pendingWork sync.WaitGroup
)

// startSyncs parks the sync package groups.
func startSyncs() {
	heldMutex.Lock()
	g := newGroup("mutex", "mutex", 37)
	s := Store{mu: &heldMutex}
	for i := 0; i < 37; i++ {
		go s.Get(g, i, "k")
	}

	heldCache.rw.Lock()
	g = newGroup("rwmutex-rlock", "rwmutex-rlock", 3)
	for i := 0; i < 3; i++ {
		go heldCache.Lookup(g, i, "k")
	}

	// Only one writer can wait for the readers to leave; a second one
	// would queue on the RWMutex's inner Mutex instead.
	readCache.rw.RLock()
	g = newGroup("rwmutex-lock", "rwmutex-lock", 1)
	go readCache.Flush(g, 0)

	pendingWork.Add(1)
	g = newGroup("waitgroup", "waitgroup", 2)
	for i := 0; i < 2; i++ {
		go waitAll[string](g, i, &pendingWork, nil)
	}

	g = newGroup("cond", "cond", 3)
	g.Unreachable = true // only the waiters reference the Box
	b := newBox[int]()
	for i := 0; i < 3; i++ {
		go b.Wait(g, i)
	}
}
