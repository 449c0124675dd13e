// Command httppanic serves handlers that panic, and logs each panic as services do: net/http
// recovers a handler's panic itself and logs "http: panic serving <addr>: <value>" and the
// stack; a handler that recovers its own panic logs "panic: <value>" and debug.Stack() with
// log.Printf; and a handler wrapped as negroni's Recovery middleware wraps one, in its
// defaults, logs "PANIC: <value>" and the panicking goroutine's stack (runtime.Stack into
// 8 KiB) behind the "[negroni] " prefix of its own logger, which prints no date. One panic
// value is an error of two lines (errors.Join), logged as it prints. All go to
// standard output, the prefix and any date before the first line of each message only, as
// the log package writes it. The process goes on after each panic.
//
// It sends its own requests, one at a time, and after each prints one "MANIFEST {json}"
// line on standard error: the path, who logged the panic, the panic value as logged, and
// the marker of the line that panicked, by construction.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

type record struct {
	Path     string `json:"path"`
	LoggedBy string `json:"logged_by"`
	Value    string `json:"value"`
	Marker   string `json:"marker"` // "SAMPLE:<marker>" ends the line that panics
}

var orders map[string]int // never made: a write to it panics

func placeOrder(w http.ResponseWriter, r *http.Request) {
	orders[r.URL.Query().Get("id")]++ // SAMPLE:nil-map
}

func item(w http.ResponseWriter, r *http.Request) {
	ids := []int{7, 8, 9}
	i, _ := strconv.Atoi(r.URL.Query().Get("i"))
	fmt.Fprintln(w, ids[i]) // SAMPLE:index
}

func export(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			log.Printf("panic: %v\n%s", v, debug.Stack())
			w.WriteHeader(http.StatusInternalServerError)
		}
	}()
	panic("export: no writer for format " + strconv.Quote(r.URL.Query().Get("format"))) // SAMPLE:export
}

// negroniLog is the logger negroni's Recovery middleware makes by default.
var negroniLog = log.New(os.Stdout, "[negroni] ", 0)

// recovered wraps next as negroni's Recovery middleware does with its defaults (written here
// with the standard library: the samples import nothing else).
func recovered(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				w.WriteHeader(http.StatusInternalServerError)
				buf := make([]byte, 8<<10)
				negroniLog.Printf("PANIC: %s\n%s", v, buf[:runtime.Stack(buf, false)])
			}
		}()
		next(w, r)
	}
}

// syncUpstream panics with an error of two lines (errors.Join): net/http logs the value
// as it prints, so the line right before the stack is the value's last line.
func syncUpstream(w http.ResponseWriter, r *http.Request) {
	panic(errors.Join(errors.New("sync: upstream closed"), errors.New("sync: retry budget spent"))) // SAMPLE:joined
}

type owner struct{ Name string }

func report(w http.ResponseWriter, r *http.Request) {
	var o *owner            // never set: reading through it panics
	fmt.Fprintln(w, o.Name) // SAMPLE:nil-pointer
}

func main() {
	log.SetOutput(os.Stdout)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/orders", placeOrder)
	mux.HandleFunc("/items", item)
	mux.HandleFunc("/export", export)
	mux.HandleFunc("/report", recovered(report))
	mux.HandleFunc("/sync", syncUpstream)
	srv := &http.Server{Handler: mux, ErrorLog: log.New(os.Stdout, "", log.LstdFlags)}
	go srv.Serve(ln)

	client := &http.Client{Timeout: 5 * time.Second}
	requests := []record{
		{"/orders?id=41", "net/http", "assignment to entry in nil map", "nil-map"},
		{"/orders?id=42", "net/http", "assignment to entry in nil map", "nil-map"},
		{"/orders?id=43", "net/http", "assignment to entry in nil map", "nil-map"},
		{"/items?i=5", "net/http", "runtime error: index out of range [5] with length 3", "index"},
		{"/sync", "net/http", "sync: upstream closed\nsync: retry budget spent", "joined"}, // on a new connection: one broken under a reused one, the client sends a GET again
		{"/export?format=xlsx", "log", `export: no writer for format "xlsx"`, "export"},
		{"/export?format=ods", "log", `export: no writer for format "ods"`, "export"},
		{"/report", "negroni", "runtime error: invalid memory address or nil pointer dereference", "nil-pointer"},
	}
	for _, req := range requests {
		if resp, err := client.Get("http://" + ln.Addr().String() + req.Path); err == nil {
			resp.Body.Close()
		}
		time.Sleep(50 * time.Millisecond) // the server's log line is written
		b, _ := json.Marshal(req)
		fmt.Fprintf(os.Stderr, "MANIFEST %s\n", b)
	}
}
