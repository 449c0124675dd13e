package main

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// acceptLoop waits for connections that never come.
func acceptLoop(g *group, ln net.Listener) {
	g.arrive(0)
	for {
		c, err := ln.Accept() // SAMPLE:net-accept
		if err != nil {
			return
		}
		c.Close()
	}
}

// readConn waits for bytes that the peer never sends.
func readConn(g *group, i int, c net.Conn) {
	g.arrive(i)
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil { // SAMPLE:net-read
			return
		}
	}
}

// readPipe reads a pipe with a blocking read(2) outside the netpoller,
// so the goroutine shows as being in a system call.
func readPipe(g *group, fd int) {
	g.arrive(0)
	buf := make([]byte, 64)
	syscall.Read(fd, buf) // SAMPLE:syscall
}

var keep []interface{} // keeps listeners, conns and fds alive

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "leaky:", err)
		os.Exit(1)
	}
}

// startNet parks goroutines in network and system-call waits, all on loopback.
func startNet() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	g := newGroup("net-accept", "io-wait", 1)
	go acceptLoop(g, ln)

	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	client, err := net.Dial("tcp", ln2.Addr().String())
	must(err)
	server, err := ln2.Accept()
	must(err)
	ln2.Close()
	g = newGroup("net-read", "io-wait", 2)
	go readConn(g, 0, client)
	go readConn(g, 1, server)

	var p [2]int
	must(syscall.Pipe(p[:]))
	g = newGroup("syscall", "syscall", 1)
	go readPipe(g, p[0])
	keep = append(keep, ln, client, server, p)
}
