package main

import "fmt"

// reply is what a request waits for.
type reply struct {
	n   int
	err error
}

// awaitReply waits on the channel of its own request; nobody answers, so each
// caller leaks one goroutine and one channel (a per-request leak).
//
//go:noinline
func awaitReply(ch chan reply, g *group, i int) reply {
	g.arrive(i)
	return <-ch // SAMPLE:own-chan
}

// subscribe waits on the one event channel every subscriber shares; nobody
// sends, so they all wait on one object.
//
//go:noinline
func subscribe(events chan string, g *group, i int) string {
	g.arrive(i)
	return <-events // SAMPLE:shared-chan
}

// startChans parks the per-request leak and the shared-channel subscribers.
func startChans() {
	chans := make([]chan reply, 12)
	addrs := make([]string, len(chans))
	for i := range chans {
		chans[i] = make(chan reply)
		addrs[i] = fmt.Sprintf("%p", chans[i])
	}
	g := newGroup("own-chan", "chan-recv", object{Name: "replyCh", Type: "chan main.reply"}, addrs)
	for i, ch := range chans {
		go awaitReply(ch, g, i)
	}

	events := make(chan string)
	obj := object{Name: "events", Type: "chan string", Shared: true}
	g = newGroup("shared-chan", "chan-recv", obj, same(fmt.Sprintf("%p", events), 9))
	for i := 0; i < 9; i++ {
		go subscribe(events, g, i)
	}
}
