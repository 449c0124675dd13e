// Command slogapp logs JSON with log/slog and puts goroutine stacks into its
// records: a recovered panic is logged with "stack" = debug.Stack() (the
// panicking goroutine), and a watchdog then logs every goroutine
// (runtime.Stack(buf, true)) under "stack" too.
//
// The goroutines it parked, and their ids, go to $CARRIERS_MANIFEST as
// "MANIFEST {json}" lines (see internal/park).
package main

import (
	"errors"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"sync"

	"example.com/carriers/internal/park"
)

type hub struct {
	mu      sync.Mutex
	changed *sync.Cond
	version int
}

// waitChange waits for a config version that never comes.
func (h *hub) waitChange(g *park.Group, i int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	g.Arrive(i)
	for h.version == 0 {
		h.changed.Wait() // SAMPLE:slog-config
	}
}

// consume waits for jobs.
func consume(g *park.Group, i int, jobs <-chan int) {
	g.Arrive(i)
	for range jobs { // SAMPLE:slog-jobs
	}
}

var errNoRoute = errors.New("no route for /v2/orders?id=9&expand=<all>")

func lookup(route string) string {
	routes := map[string]string{"/healthz": "ok"}
	if r, ok := routes[route]; ok {
		return r
	}
	panic(errNoRoute) // SAMPLE:slog-panic
}

// serve handles one request and logs a panic with its stack.
func serve(logger *slog.Logger, route string) {
	defer func() {
		if r := recover(); r != nil {
			logger.Error("panic serving request", "route", route, "err", r, "stack", string(debug.Stack()))
		}
	}()
	logger.Info("request", "method", "GET", "route", route, "status", 200, "body", lookup(route))
}

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	logger.Info("orders 2.4.0 starting", "pid", os.Getpid(), "go", runtime.Version())

	h := &hub{}
	h.changed = sync.NewCond(&h.mu)
	cfg := park.New("slog-config", "cond", 2)
	for i := 0; i < 2; i++ {
		go h.waitChange(cfg, i)
	}
	cfg.Settle()

	jobs := make(chan int)
	workers := park.New("slog-jobs", "chan-recv", 3)
	for i := 0; i < 3; i++ {
		go consume(workers, i, jobs)
	}
	workers.Settle()
	park.Flush()

	logger.Info("listening", "addr", ":8080", "workers", 3)
	serve(logger, "/healthz")
	serve(logger, "/v2/orders?id=9&expand=<all>")
	logger.Warn("queue stalled", "pending", 12, "workers", 3)

	buf := make([]byte, 1<<16)
	n := runtime.Stack(buf, true)
	logger.Error("watchdog: no progress for 30s, dumping goroutines", "goroutines", runtime.NumGoroutine(),
		"stack", string(buf[:n]))
	logger.Info("shutting down")
}
