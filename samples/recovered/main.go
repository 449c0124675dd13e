// Command recovered recovers the panics of its handlers and prints each one on standard
// output the way many services log one: "panic: <value>", a blank line, and the stack,
// taken in the deferred function that recovered it, with debug.Stack() (the handler run
// with "debug") or with runtime.Stack(buf, false) ("runtime"). The process goes on after
// each: such a traceback is the program's, where a crash's is printed by the runtime as
// the process dies.
//
// Each handler runs on a goroutine of its own, as a server's requests do. After each it
// prints one "MANIFEST {json}" line on standard error: how the stack was taken, the panic
// value, the handler goroutine's id, and its stack's first frames by construction.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

type record struct {
	Way    string   `json:"way"`
	Value  string   `json:"value"`
	ID     int64    `json:"goroutine"`
	Frames []string `json:"top_frames"`
}

// goid reads the calling goroutine's id off its own stack's first line.
func goid() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	id, _ := strconv.ParseInt(f[1], 10, 64)
	return id
}

func handle(way, value string, done chan<- record) {
	id := goid()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		var stack []byte
		top := []string{"runtime/debug.Stack", "main.handle.func1", "panic"}
		if way == "debug" {
			stack = debug.Stack() // SAMPLE:debug-stack
		} else {
			buf := make([]byte, 1<<16)
			stack = buf[:runtime.Stack(buf, false)] // SAMPLE:runtime-stack
			top = top[1:]
		}
		fmt.Printf("panic: %v\n\n%s\n", r, stack)
		done <- record{way, fmt.Sprint(r), id, top}
	}()
	panic(value) // SAMPLE:recovered
}

func main() {
	values := map[string]string{
		"debug":   "handler: nil config for tenant 42",
		"runtime": "handler: unknown route /v2/export",
	}
	for _, way := range []string{"debug", "runtime"} {
		done := make(chan record)
		go handle(way, values[way], done)
		rec := <-done
		line, _ := json.Marshal(rec)
		fmt.Fprintf(os.Stderr, "MANIFEST %s\n", line)
	}
	fmt.Println("recovered: still serving")
}
