"""The wait reason the runtime prints for each way the sample programs block, by Go version."""

from __future__ import annotations

# Wait reasons by block kind and Go version: (first version, state string).
# Source: src/runtime/runtime2.go, waitReasonStrings, in each release.  Go 1.19
# parks every sync primitive on a semaphore with waitReasonSemacquire; Go 1.20
# added waitReasonSyncMutexLock, waitReasonSyncRWMutexRLock and
# waitReasonSyncRWMutexLock; Go 1.24 added waitReasonSyncWaitGroupWait.
# sync.Cond has used waitReasonSyncCondWait ("sync.Cond.Wait") since Go 1.13.
# A goroutine inside a blocking read(2) is not _Gwaiting but _Gsyscall, whose
# gStatusStrings entry is "syscall".  Every entry was checked against real
# captures with each toolchain (check_manifest fails the capture otherwise).
STATE_TABLE: dict[str, list[tuple[tuple[int, int], str]]] = {
    "chan-recv": [((1, 0), "chan receive")],
    "chan-send": [((1, 0), "chan send")],
    "nil-chan-recv": [((1, 0), "chan receive (nil chan)")],
    "nil-chan-send": [((1, 0), "chan send (nil chan)")],
    "select": [((1, 0), "select")],
    "select-nocases": [((1, 0), "select (no cases)")],
    "mutex": [((1, 0), "semacquire"), ((1, 20), "sync.Mutex.Lock")],
    "rwmutex-rlock": [((1, 0), "semacquire"), ((1, 20), "sync.RWMutex.RLock")],
    "rwmutex-lock": [((1, 0), "semacquire"), ((1, 20), "sync.RWMutex.Lock")],
    "waitgroup": [((1, 0), "semacquire"), ((1, 24), "sync.WaitGroup.Wait")],
    "cond": [((1, 0), "sync.Cond.Wait")],
    "sleep": [((1, 0), "sleep")],
    "io-wait": [((1, 0), "IO wait")],
    "syscall": [((1, 0), "syscall")],
}


def expected_state(block: str, version: tuple[int, int]) -> str:
    """The wait reason the runtime prints for a block kind in a Go version."""
    state = ""
    for since, text in STATE_TABLE[block]:
        if version >= since:
            state = text
    return state
