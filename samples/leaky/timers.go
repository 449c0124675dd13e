package main

import (
	"context"
	"time"
)

// neverCancelled is a context whose cancel function is dropped on the floor.
var neverCancelled, _ = context.WithCancel(context.Background())

// startSleepers parks goroutines in time.Sleep inside nested closures.
func startSleepers() {
	g := newGroup("sleep", "sleep", 2)
	for i := 0; i < 2; i++ {
		i := i
		go func() {
			jitter := func(d time.Duration) time.Duration { return d + time.Duration(i)*time.Second }
			backoff := func(d time.Duration) {
				g.arrive(i)
				time.Sleep(jitter(d)) // SAMPLE:sleep
			}
			retry := func() {
				backoff(24 * time.Hour)
			}
			retry()
		}()
	}
}

// pollDeadline waits for a timer that fires in a day.
func pollDeadline(g *group, i int) {
	g.arrive(i)
	<-time.After(24 * time.Hour) // SAMPLE:timer
}

// waitDone waits for a context that is never cancelled.
func waitDone(ctx context.Context, g *group, i int) {
	g.arrive(i)
	<-ctx.Done() // SAMPLE:ctx-done
}

// startTimers parks the time and context groups; the context waiters are
// started by another goroutine, which then blocks itself.
func startTimers() {
	startSleepers()

	g := newGroup("timer", "chan-recv", 1)
	go pollDeadline(g, 0)

	spawner := newGroup("spawner", "chan-recv", 1)
	children := newGroup("ctx-done", "chan-recv", 4)
	go func() {
		children.createdHere()
		for i := 0; i < 4; i++ {
			go waitDone(neverCancelled, children, i)
		}
		children.wg.Wait()
		spawner.arrive(0)
		<-neverCancelled.Done() // SAMPLE:spawner
	}()
	// Let the spawner finish before main starts more goroutines, so that
	// goroutine ids are handed out in the same order every run.
	spawner.wg.Wait()
}
