package main

import "context"

// bigCluster is the size of the largest group, so that ranking matters.
const bigCluster = 200

// recvForever blocks on a channel that nobody ever sends on.
func recvForever(g *group, i int, ch chan int) {
	g.arrive(i)
	<-ch // SAMPLE:chan-recv-big
}

// Producer pushes work into a queue that nobody drains.
type Producer struct {
	queue chan string
}

// Push blocks on a full, undrained channel.
func (p *Producer) Push(g *group, i int, item string) {
	g.arrive(i)
	p.queue <- item // SAMPLE:chan-send
}

func nilRecv(g *group) {
	var ch chan int
	g.arrive(0)
	<-ch // SAMPLE:nil-chan-recv
}

func nilSend(g *group) {
	var ch chan int
	g.arrive(0)
	ch <- 1 // SAMPLE:nil-chan-send
}

// Hub fans events out to subscribers.
type Hub struct {
	events chan string
}

// Subscribe starts a subscriber that waits for events or for ctx to end.
func (h *Hub) Subscribe(ctx context.Context, g *group, i int) {
	g.createdHere()
	go func() {
		g.arrive(i)
		select { // SAMPLE:select-ctx
		case <-ctx.Done():
		case <-h.events:
		}
	}()
}

// startChans parks the channel groups.
func startChans() {
	g := newGroup("chan-recv-big", "chan-recv", bigCluster)
	g.Unreachable = true
	ch := make(chan int)
	for i := 0; i < bigCluster; i++ {
		go recvForever(g, i, ch)
	}

	g = newGroup("chan-send", "chan-send", 7)
	g.Unreachable = true
	p := &Producer{queue: make(chan string)}
	for i := 0; i < 7; i++ {
		go p.Push(g, i, "item")
	}

	// Blocking on a nil channel can never end, so Go 1.27's leak detector
	// reports these as leaked too.
	g = newGroup("nil-chan-recv", "nil-chan-recv", 1)
	g.Unreachable = true
	go nilRecv(g)
	g = newGroup("nil-chan-send", "nil-chan-send", 1)
	g.Unreachable = true
	go nilSend(g)

	// The context is kept in a global and never cancelled.
	g = newGroup("select-ctx", "select", 3)
	h := &Hub{events: make(chan string)}
	for i := 0; i < 3; i++ {
		h.Subscribe(neverCancelled, g, i)
	}
}
