"""Where to look first, and the words that say why."""

from __future__ import annotations

from gtriage.pipeline import analyze_text

GOROOT = "/usr/local/go/src"


def g(gid: int, state: str, body: str) -> str:
    return f"goroutine {gid} [{state}]:\n{body}\n"


LEAK = "main.worker(0x1)\n\t/app/w.go:5 +0x1\n"
GC = f"runtime.gopark(0x0?)\n\t{GOROOT}/runtime/proc.go:435 +0xce\nruntime.gcBgMarkWorker(0x1)\n\t{GOROOT}/runtime/mgc.go:1423 +0xe9\n"
ACCEPT = (
    f"internal/poll.runtime_pollWait(0x1, 0x72)\n\t{GOROOT}/runtime/netpoll.go:351 +0x85\n"
    f"net.(*TCPListener).Accept(0xc0000a6480)\n\t{GOROOT}/net/tcpsock.go:380 +0x30\n"
    "main.serve(0x1)\n\t/app/serve.go:12 +0x3a\n"
)
SIGNAL = f"os/signal.signal_recv()\n\t{GOROOT}/runtime/sigqueue.go:152 +0x29\nos/signal.loop()\n\t{GOROOT}/os/signal/signal_unix.go:23 +0x13\n"


def test_leaks_rank_above_healthy_background_even_when_smaller() -> None:
    text = "".join(g(i, "GC worker (idle)", GC) for i in range(2, 50)) + g(60, "chan receive", LEAK)
    text += g(61, "IO wait", ACCEPT) + g(62, "chan receive", SIGNAL)
    report = analyze_text(text)
    first = report.clusters[0]
    assert first.blocked_at.func == "main.worker"
    assert not first.healthy
    healthy = {c.blocked_at.func: c for c in report.clusters if c.healthy}
    assert "main.serve" in healthy  # a listener waiting in Accept
    assert any("listener" in w for w in healthy["main.serve"].why)
    assert any("signal handling" in w for c in healthy.values() for w in c.why)


def test_more_goroutines_and_longer_waits_rank_higher() -> None:
    small = g(10, "chan receive", LEAK)
    big = "".join(g(i, "chan receive", "main.other(0x1)\n\t/app/o.go:7 +0x1\n") for i in range(20, 25))
    old = g(30, "chan receive, 90 minutes", "main.old(0x1)\n\t/app/old.go:3 +0x1\n")
    report = analyze_text(small + big + old)
    order = [c.blocked_at.func for c in report.clusters]
    assert order.index("main.other") < order.index("main.worker")
    assert order.index("main.old") < order.index("main.worker")
    assert any("waiting 90 minutes" in w for w in report.clusters[order.index("main.old")].why)


def test_proven_leaks_come_first() -> None:
    big = "".join(g(i, "chan receive", LEAK) for i in range(10, 40))
    leaked = g(50, "select (leaked)", "main.lost(0x1)\n\t/app/lost.go:8 +0x1\n")
    report = analyze_text(big + leaked)
    top = report.clusters[0]
    assert top.blocked_at.func == "main.lost"
    assert top.leaked == 1
    assert any("proven" in w for w in top.why)


def test_panicking_goroutine_first_then_deadlock() -> None:
    crash = "panic: boom\n\n" + g(7, "running", "main.crash()\n\t/app/c.go:3 +0x1\n")
    crash += "".join(g(i, "chan receive", LEAK) for i in range(10, 40))
    report = analyze_text(crash)
    assert report.clusters[0].crashed
    assert report.clusters[0].goroutine_ids == (7,)
    assert "the goroutine that panicked: boom" in report.clusters[0].why[0]


def test_deadlock_blames_blocked_goroutines() -> None:
    text = "fatal error: all goroutines are asleep - deadlock!\n\n" + g(1, "semacquire", LEAK) + g(2, "GC worker (idle)", GC)
    report = analyze_text(text)
    assert report.clusters[0].blocked_at.func == "main.worker"
    assert any("deadlock" in w for w in report.clusters[0].why)
    assert not any("deadlock" in w for w in report.clusters[1].why)


# A goroutine inside a C call: runtime.cgocall under the cgo-generated wrapper of the
# program, as Go 1.21+ prints it (frames from runtime/cgocall.go and _cgo_gotypes.go).
CGO_CALL = (
    f"runtime.cgocall(0x4b2d90, 0xc000057f58)\n\t{GOROOT}/runtime/cgocall.go:167 +0x4b fp=0xc000057f30 sp=0xc000057ef8 pc=0x40534b\n"
    "main._Cfunc_block()\n\t_cgo_gotypes.go:61 +0x3f\n"
)


def test_a_goroutine_blocked_in_the_programs_c_code_is_not_background() -> None:
    # Regression: blocked_at took cgo frames as the program's code, is_healthy and the
    # ranking did not, so a cluster stuck in C was ranked with the GC workers.
    text = "".join(g(i, "GC worker (idle)", GC) for i in range(2, 5)) + "".join(
        g(i, "syscall", CGO_CALL) for i in range(10, 13)
    )
    report = analyze_text(text)
    stuck = next(c for c in report.clusters if c.count == 3)
    assert stuck.blocked_at.func == "main._Cfunc_block"
    assert stuck.blocked_at.is_program_code
    assert not stuck.healthy
    assert "syscall in the program's own code" in stuck.why
    assert report.clusters[0] is stuck


def test_a_debug1_record_of_no_goroutine_is_kept_not_a_crash() -> None:
    # Found by fuzzing: a ?debug=1 record damaged to "0 @ ..." (the runtime prints no stack
    # it saw on no goroutine) made the rank take the log of 0.
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "samples/dumps/go1.27/leaky.debug1.txt").read_text()
    head, sep, rest = text.partition("\n200 @ ")  # the leak's record: 200 goroutines
    assert sep
    whole = analyze_text(text)
    damaged = analyze_text(head + "\n0 @ " + rest)
    assert damaged.goroutines == whole.goroutines  # the profile's own total
    assert sorted(c.count for c in damaged.clusters) == sorted([0, *(c.count for c in whole.clusters if c.count != 200)])
