// Command dockerlog writes Docker's json-file log format: one JSON object
// per line, {"log":"<line>\n","stream":"stdout|stderr","time":"<RFC 3339 nano>"}.
//
// Docker's daemon builds these lines with its own fast marshaller; this
// program builds them with encoding/json, which gives the same bytes: the
// fields in the order log, stream, time; '<', '>' and '&' escaped as \u003c,
// \u003e, \u0026; the time in UTC with trailing zeros of the fraction cut.
//
// Input, on stdin, one record a line: "<stream>\t<unix nanoseconds>\t<text>";
// the text is the container's line without its newline.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

type entry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		parts := strings.SplitN(in.Text(), "\t", 3)
		if len(parts) != 3 {
			fmt.Fprintf(os.Stderr, "dockerlog: bad record %q\n", in.Text())
			os.Exit(2)
		}
		ns, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dockerlog:", err)
			os.Exit(2)
		}
		b, err := json.Marshal(entry{Log: parts[2] + "\n", Stream: parts[0], Time: time.Unix(0, ns).UTC()})
		if err != nil {
			fmt.Fprintln(os.Stderr, "dockerlog:", err)
			os.Exit(2)
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "dockerlog:", err)
		os.Exit(2)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "dockerlog:", err)
		os.Exit(2)
	}
}
