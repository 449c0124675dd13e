package main

import (
	"fmt"
	"sync"
)

// Store is a cache that loads missing keys while holding its lock: one slow
// load stalls every other caller of Get.
type Store struct {
	mu     sync.Mutex // first field: &s.mu == s
	data   map[string]int
	loaded chan int // the loader that would answer never does
}

// Get returns key's value. The holder group's goroutine finds the key missing
// and waits for the loader with s.mu held; the waiters group's goroutines
// wait for s.mu at the Lock call.
func (s *Store) Get(key string, g *group, i int, holder bool) int {
	if !holder {
		g.arrive(i)
	}
	s.mu.Lock() // SAMPLE:store-waiters
	defer s.mu.Unlock()
	v, ok := s.data[key]
	if !ok {
		if holder {
			g.arrive(i)
		}
		v = <-s.loaded // SAMPLE:store-holder
		s.data[key] = v
	}
	return v
}

// startStore parks the holder, then the goroutines waiting for its lock.
func startStore() {
	s := &Store{data: map[string]int{"warm": 1}, loaded: make(chan int)}
	loaded := object{Name: "storeLoaded", Type: "chan int", Shared: true}
	h := newGroup("store-holder", "chan-recv", loaded, same(fmt.Sprintf("%p", s.loaded), 1))
	h.Holds = []string{"storeMu"}
	go s.Get("cold", h, 0, true)
	h.arrived()

	mu := object{Name: "storeMu", Type: "sync.Mutex", Shared: true}
	w := newGroup("store-waiters", "mutex", mu, same(fmt.Sprintf("%p", &s.mu), 37))
	w.HeldBy = h.Key
	for i := 0; i < 37; i++ {
		go s.Get("warm", w, i, false)
	}
}
