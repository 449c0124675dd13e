// Command stackdump writes all goroutines' stacks to its standard output now and then, the
// way a watchdog or a debug handler does with runtime.Stack(buf, true): each dump is
// written by a goroutine started for it, so every dump's first goroutine, the [running]
// one printing it, has an id no dump before it had.
//
// It runs -rounds rounds. Each round parks -leak more goroutines on a channel receive
// (the line marked SAMPLE:leak), waits until they are all parked, logs one line, then
// dumps every goroutine from a new goroutine (the line marked SAMPLE:dump). After each
// dump it prints one "MANIFEST {json}" line on standard error: the round, how many
// goroutines the dump holds by construction, the writer's id and the leaked ids.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

var never = make(chan int)

func leak(ids chan<- int64) {
	ids <- goid()
	<-never // SAMPLE:leak
}

// goid reads the calling goroutine's id off its own stack's first line.
func goid() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	id, _ := strconv.ParseInt(f[1], 10, 64)
	return id
}

func dump(done chan<- int64) {
	buf := make([]byte, 8<<20)
	n := runtime.Stack(buf, true) // SAMPLE:dump
	os.Stdout.Write(buf[:n])
	done <- goid()
}

// parked waits until n goroutines are parked on the leak line (a dump of them all says so).
func parked(n int) {
	buf := make([]byte, 8<<20)
	for i := 0; i < 1000; i++ {
		s := string(buf[:runtime.Stack(buf, true)])
		if strings.Count(s, "[chan receive") >= n && !strings.Contains(s, "[runnable") {
			return
		}
		time.Sleep(time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "stackdump: the leaked goroutines did not all park")
	os.Exit(1)
}

func main() {
	rounds := flag.Int("rounds", 3, "dumps to write")
	per := flag.Int("leak", 5, "goroutines leaked each round")
	flag.Parse()
	var leaked []int64
	for r := 0; r < *rounds; r++ {
		ids := make(chan int64)
		for i := 0; i < *per; i++ {
			go leak(ids)
			leaked = append(leaked, <-ids)
		}
		parked(len(leaked))
		fmt.Printf("watchdog: round %d, dumping all goroutines\n", r)
		done := make(chan int64)
		go dump(done)
		writer := <-done
		m, _ := json.Marshal(map[string]any{
			"round": r, "writer": writer, "leaked": leaked,
			// main, the writer and the leaked ones
			"goroutines": 2 + len(leaked),
		})
		fmt.Fprintf(os.Stderr, "MANIFEST %s\n", m)
	}
}
