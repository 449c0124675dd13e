package main

import (
	"context"
	"runtime"
	"runtime/pprof"
)

// blockForever parks in an empty select.
func blockForever(g *group) {
	g.arrive(0)
	select {} // SAMPLE:select-nocases
}

// pinned locks its OS thread and then waits on a channel.
func pinned(g *group, ch chan struct{}) {
	runtime.LockOSThread()
	g.arrive(0)
	<-ch // SAMPLE:locked-thread
}

// walk recurses depth times and then blocks, so tracebacks elide frames.
func walk(g *group, depth int, ch chan struct{}) int {
	if depth == 0 {
		g.arrive(0)
		<-ch // SAMPLE:deep-recursion
		return 0
	}
	return walk(g, depth-1, ch) + 1
}

// labelled runs goroutines under pprof labels.
func labelled(g *group, i int, ch chan struct{}, kv ...string) {
	pprof.Do(context.Background(), pprof.Labels(kv...), func(ctx context.Context) {
		g.arrive(i)
		select { // SAMPLE:labels-reindex
		case <-ch:
		case <-ctx.Done():
		}
	})
}

// exporter is a second labelled group with a label value that needs quoting.
func exporter(g *group, ch chan struct{}) {
	pprof.Do(context.Background(), pprof.Labels("job", "export", "tenant", "acme corp"), func(context.Context) {
		g.arrive(0)
		ch <- struct{}{} // SAMPLE:labels-export
	})
}

var forever = make(chan struct{}) // global, never closed

// startMisc parks the remaining groups.
func startMisc() {
	g := newGroup("select-nocases", "select-nocases", 1)
	g.Unreachable = true // select {} never wakes up
	go blockForever(g)

	g = newGroup("locked-thread", "chan-recv", 1)
	g.LockedToThread = true
	go pinned(g, forever)

	g = newGroup("deep-recursion", "chan-recv", 1)
	go walk(g, 130, forever)

	kv := []string{"job", "reindex", "route", "GET /api/v1/items/{id}"}
	g = newGroup("labels-reindex", "select", 3)
	g.Labels = map[string]string{kv[0]: kv[1], kv[2]: kv[3]}
	for i := 0; i < 3; i++ {
		go labelled(g, i, forever, kv...)
	}

	g = newGroup("labels-export", "chan-send", 1)
	g.Labels = map[string]string{"job": "export", "tenant": "acme corp"}
	g.Unreachable = true // its channel is made here and handed to it alone
	go exporter(g, make(chan struct{}))
}
