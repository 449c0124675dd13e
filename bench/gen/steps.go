package main

// The call styles a stack is built from. Every step calls the next step of its shape's
// path through the table below, or the shape's block function at the end of the path, so a
// path of kinds [3 0 9 9 1] prints five distinct frames above the blocking call. The steps
// are written out one by one (no shared helper) so that each prints its own name and line.

// stepFn is one link of a chain: sh is the shape, i the position in sh.path, arg a value
// that is the same for every goroutine of a shape or differs per goroutine (sh.perG).
type stepFn func(sh *shape, i int, arg uintptr)

var steps []stepFn

func init() {
	srv := &server{name: "api"}
	w := &worker{id: 7}
	steps = []stepFn{
		serveConn,
		handleRequest,
		decodeFrame,
		srv.dispatch,
		w.process,
		config{retries: 3, backoff: 20}.apply,
		routeKey(42).lookup,
		withRetry,
		srv.withLock,
		visit[int],
		visit[string],
		visit[*shape],
		(&queue[int]{}).drain,
		(&queue[[]byte]{}).drain,
		viaFastPath,
		callHandler,
		batchLoop,
		readLoop,
	}
}

//go:noinline
func serveConn(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		touch(sh, i, arg)
		return
	}
	sh.block(sh, arg)
}

//go:noinline
func handleRequest(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		return
	}
	sh.block(sh, arg)
}

//go:noinline
func decodeFrame(sh *shape, i int, arg uintptr) {
	var scratch [4]uintptr
	scratch[i%4] = arg
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, scratch[i%4])
		touch(sh, i, arg)
		return
	}
	sh.block(sh, scratch[i%4])
}

type server struct {
	name string
	hits int
}

//go:noinline
func (s *server) dispatch(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		touch(sh, i, arg)
		return
	}
	sh.block(sh, arg)
}

// withLock calls the rest of the chain from a closure, as code that wraps a critical
// section in a helper does.
//
//go:noinline
func (s *server) withLock(sh *shape, i int, arg uintptr) {
	f := func(n int) {
		if n+1 < len(sh.path) {
			steps[sh.path[n+1]](sh, n+1, arg)
			return
		}
		sh.block(sh, arg)
	}
	s.run(f, i)
}

//go:noinline
func (s *server) run(f func(int), i int) { f(i) }

type worker struct{ id int }

//go:noinline
func (w *worker) process(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		touch(sh, i, arg)
		return
	}
	sh.block(sh, arg)
}

type config struct{ retries, backoff int }

//go:noinline
func (c config) apply(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		touch(sh, i, arg)
		return
	}
	sh.block(sh, arg)
}

type routeKey uint32

//go:noinline
func (k routeKey) lookup(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		touch(sh, i, arg)
		return
	}
	sh.block(sh, arg)
}

// withRetry runs the rest of the chain in a closure it keeps in a variable.
//
//go:noinline
func withRetry(sh *shape, i int, arg uintptr) {
	attempt := func() {
		if i+1 < len(sh.path) {
			steps[sh.path[i+1]](sh, i+1, arg)
			return
		}
		sh.block(sh, arg)
	}
	retry(attempt)
}

//go:noinline
func retry(f func()) { f() }

//go:noinline
func visit[T any](sh *shape, i int, arg uintptr) {
	var zero T
	_ = zero
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		return
	}
	sh.block(sh, arg)
}

type queue[T any] struct {
	items []T
}

//go:noinline
func (q *queue[T]) drain(sh *shape, i int, arg uintptr) {
	if len(q.items) > 0 {
		q.items = q.items[:0]
	}
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		touch(sh, i, arg)
		return
	}
	sh.block(sh, arg)
}

// viaFastPath calls a small helper that the compiler inlines; the traceback still shows the
// helper as its own (inlined) frame.
//
//go:noinline
func viaFastPath(sh *shape, i int, arg uintptr) {
	fastPath(sh, i, arg)
}

func fastPath(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		return
	}
	sh.block(sh, arg)
}

type handler interface {
	Handle(sh *shape, i int, arg uintptr)
}

type jsonHandler struct{ strict bool }

//go:noinline
func (h jsonHandler) Handle(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		touch(sh, i, arg)
		return
	}
	sh.block(sh, arg)
}

var theHandler handler = jsonHandler{strict: true}

// callHandler goes through an interface method.
//
//go:noinline
func callHandler(sh *shape, i int, arg uintptr) {
	theHandler.Handle(sh, i, arg)
}

//go:noinline
func batchLoop(sh *shape, i int, arg uintptr) {
	for n := 0; n < 1; n++ {
		if i+1 < len(sh.path) {
			steps[sh.path[i+1]](sh, i+1, arg+uintptr(n))
			continue
		}
		sh.block(sh, arg)
	}
}

//go:noinline
func readLoop(sh *shape, i int, arg uintptr) {
	if i+1 < len(sh.path) {
		steps[sh.path[i+1]](sh, i+1, arg)
		touch(sh, i, arg)
		return
	}
	sh.block(sh, arg)
}

// touch keeps a step's arguments live across its call, so they are spilled to the stack
// and the traceback prints their real values instead of "0x0?".
//
//go:noinline
func touch(sh *shape, i int, arg uintptr) {}
