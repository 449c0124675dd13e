"""log_processes.py: which process wrote each dump, from the `ident[pid]: ` its goroutine
headers' prefix carries (syslog, journalctl's short formats)."""

from __future__ import annotations

from gtriage.log_processes import ProcessLines, names_processes

HEAD = "Dec 01 04:32:13 host "


def test_changes_are_recorded_at_their_first_header() -> None:
    p = ProcessLines()
    p.observe(
        f"{HEAD}app[7]: goroutine 1 [running]:\n{HEAD}app[7]: main.main()\n"
        f"{HEAD}app[7]: goroutine 2 [select]:\n{HEAD}app[9]: started\n",
        1,
    )
    p.observe(f"{HEAD}app[9]: goroutine 1 [running]:\n", 5)
    assert (p.lines, p.names) == ([1, 5], ["app[7]", "app[9]"])


def test_a_dump_is_its_headers_process_or_the_one_before() -> None:
    p = ProcessLines([10, 40], ["app[7]", "app[9]"])
    assert p.at(10, 30) == "app[7]"
    assert p.at(31, 39) == "app[7]"  # no header of its own named another: unchanged
    assert p.at(38, 60) == "app[9]"  # its first header is the new process's
    assert p.at(1, 9) == ""


def test_an_identifier_at_the_line_start_and_headers_without_one() -> None:
    p = ProcessLines()
    p.observe("app[3]: goroutine 1 [running]:\ngoroutine 2 [select]:\n[x] goroutine 3 [y]:\n", 1)
    assert (p.lines, p.names) == ([1], ["app[3]"])


def test_only_a_prefix_shape_with_a_pid_is_searched() -> None:
    from gtriage.prefixes import prefix_shape

    assert names_processes([prefix_shape(f"{HEAD}app[7]: ")])
    assert not names_processes([prefix_shape("2026-11-25T10:00:00.0Z "), prefix_shape("[pod/web-1/app] ")])
