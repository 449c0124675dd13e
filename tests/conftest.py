from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# tests/ holds helper modules (manifests.py) next to the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
from hypothesis import settings

from manifests import SAMPLES, Sample


def _own_cache_folder() -> None:
    """Point gtriage's cache folder (XDG_CACHE_HOME) at a folder of this test run's own,
    seeded with the developer's: runs keep the records' methods and the regexes' programs of
    test classes and patterns there, which the real folder should not collect. Set once, by
    the first process (xdist's workers inherit it); removed at its exit."""
    if os.environ.get("GTRIAGE_TESTS_CACHE"):
        return
    real = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gtriage"
    own = Path(tempfile.mkdtemp(prefix="gtriage-tests-cache-"))
    if real.is_dir():
        shutil.copytree(real, own / "gtriage", ignore=shutil.ignore_patterns("*.tmp"))
    os.environ["XDG_CACHE_HOME"] = os.environ["GTRIAGE_TESTS_CACHE"] = str(own)
    atexit.register(shutil.rmtree, own, ignore_errors=True)


_own_cache_folder()

# CI (CI=true) runs the property tests derandomized: the examples a developer already ran, so
# that a landing never hangs on what a new random draw finds; a developer's runs explore.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The quick loop reads the newest Go release's samples, the wrapped ones and the demo; every
# other release's rows are `slow` (CI runs them all: `pytest -m ''`).
QUICK_DIRS = ("dumps/go1.27/", "wrapped/", "demo", "series/", "fleet/")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing (tests/render/test_golden.py)",
    )


def _sample_id(value: object) -> str | None:
    """The sample a test row reads: a Sample, a (Sample, ...) row, or a path under samples/."""
    if isinstance(value, tuple) and value:
        value = value[0]
    if isinstance(value, Sample):
        return value.id
    if isinstance(value, Path) and value.is_relative_to(SAMPLES):
        return str(value.relative_to(SAMPLES))
    return None


# Tests of half a second or more (measured with --durations on 2 cores) that the quick loop
# leaves to CI, so a developer's `pytest` stays under a minute. Each area keeps a faster
# test in the loop: the TUI its first screen, 80x24 snapshot, inert escapes, banners and the
# tmux pipe; the CLI its formats and filters; robustness its quick damage rows.
TESTS = Path(__file__).resolve().parent
SLOW_TESTS = frozenset({
    "test_cli.py::test_filters",
    "test_cli.py::test_timeout_bounds_the_whole_fetch",
    "test_cli.py::test_url",
    "test_cli.py::test_url_http_error",
    "test_cli.py::test_url_without_debug_asks_for_text",
    "test_compare.py::test_matching_many_clusters_of_one_function_is_bounded",
    "test_parse_properties.py::test_headers_parse_back",
    "test_pprof_profile.py::test_cli_urls_files_and_stdin",
    "test_reference.py::test_mutated_dumps_read_alike",
    "test_robustness.py::test_damage_never_splits_a_dump",
    "test_robustness.py::test_every_cut_point_of_a_goroutine",
    "test_robustness.py::test_mutated_dumps_parse_the_same_with_and_without_the_memo",
    "test_robustness.py::test_mutated_real_dumps",
    "test_sections.py::test_the_counting_check_never_accepts_what_the_line_regex_rejects",
    "test_sections.py::test_a_text_taken_by_its_key_is_one_the_checks_take",
    "test_log_clock.py::test_docker_times_record_what_the_lines_do",
    "test_objects.py::test_read_object_reads_each_frames_text_as_frame_args_does",
    "tui/test_app.py::test_copy_and_save_markdown",
    "tui/test_app.py::test_copying_a_goroutine_copies_what_is_shown",
    "tui/test_app.py::test_cursor_moves_and_the_detail_pane_follows",
    "tui/test_app.py::test_profiles_have_no_goroutine_text",
    "tui/test_app.py::test_editor_is_not_run_for_a_file_that_is_not_here",
    "tui/test_app.py::test_enter_shows_the_goroutines_of_the_cluster",
    "tui/test_app.py::test_escapes_in_goroutine_text_are_inert",
    "tui/test_app.py::test_frame_cursor_opens_the_editor_at_file_and_line",
    "tui/test_app.py::test_help_footer_and_command_palette",
    "tui/test_app.py::test_jump_to_a_goroutine_by_id",
    "tui/test_app.py::test_light_theme_renders",
    "tui/test_app.py::test_quick_filters_hide_healthy_and_show_one_state",
    "tui/test_app.py::test_runtime_frames_fold_and_unfold",
    "tui/test_app.py::test_search_as_you_type",
    "tui/test_app.py::test_search_is_fuzzy_and_covers_files_states_and_labels",
    "tui/test_app.py::test_sort_by_minutes_puts_the_oldest_first",
    "tui/test_app.py::test_sort_keys",
    "tui/test_app.py::test_sorting_keeps_the_cluster_and_does_not_redraw_its_detail",
    "tui/test_app.py::test_the_footer_is_rebuilt_only_when_its_keys_change",
    "tui/test_keys.py::test_clipboard_messages_say_osc52_and_offer_w",
    "tui/test_keys.py::test_counts_have_thousands_separators",
    "tui/test_keys.py::test_ctrl_c_quits",
    "tui/test_keys.py::test_f1_and_question_mark_open_and_close_help",
    "tui/test_keys.py::test_first_screen_does_not_wait_for_the_goroutine_id_map",
    "tui/test_keys.py::test_h_is_back_l_opens_and_shift_h_hides_healthy",
    "tui/test_keys.py::test_paths_are_spelled_as_in_the_text_report_and_p_shows_them_in_full",
    "tui/test_narrow.py::test_80x24_keeps_quit_help_and_where",
    "tui/test_narrow.py::test_help_fits_80x24_and_wraps_under_the_meaning",
    "tui/test_snapshots.py::test_clusters_screen",
    "tui/test_snapshots.py::test_clusters_screen_200x50",
    "tui/test_snapshots.py::test_goroutines_screen",
    "tui/test_snapshots.py::test_goroutines_screen_80x24",
    "tui/test_snapshots.py::test_help_screen_200x50",
    "tui/test_snapshots.py::test_help_screen_80x24",
    "tui/test_snapshots.py::test_series_clusters_screen_80x24",
    "tui/test_series.py::test_the_detail_pane_shows_the_series_of_the_cluster",
    "tui/test_watch.py::test_each_poll_replaces_the_report_in_place",
    "tui/test_watch.py::test_the_replaced_report_is_let_go",
    "tui/test_tmux.py::test_80x24_terminal_keys_and_ctrl_c",
    "tui/test_tmux.py::test_watch_in_a_terminal_updates_in_place",  # 3.5 s: five polls in tmux
    # --watch headless: each ~0.6 s (a local server, polls 100 ms apart); the quick loop keeps
    # test_polls_follow_each_cluster_and_a_failed_poll_is_retried.
    "test_watch.py::test_headless_watch_prints_a_json_line_per_poll_then_the_report",
    "test_watch.py::test_headless_watch_text_lines_say_failures",
    "test_watch.py::test_a_watch_that_never_reads_a_dump_exits_1",
    "test_watch.py::test_a_watch_of_one_process_says_what_its_locks_wait_on",
    # 0.7 s: every bad profile through the CLI; the reader's own error tests stay quick.
    "test_pprof_profile.py::test_cli_errors_are_one_line",
    # 0.65 s: the holder jump in a pilot; the source-tree pilot test stays quick.
    "tui/test_app.py::test_o_goes_to_the_goroutine_that_may_hold_the_lock",
    # 0.66 s: the trend column at full width; its 80x24 test stays quick.
    "tui/test_series.py::test_the_trend_column_shows_the_counts_and_the_verdict",
    # 0.75 s: builds a Go program and captures it live; the committed captures stay quick.
    "samples/test_live_capture.py::test_live_debug2_capture",
    # 0.84 s: the docker log clock's fast path against line by line, property-tested; the
    # log clock's table tests stay quick.
    "test_log_clock.py::test_turns_of_the_second_are_found_as_line_by_line",
    # 1.4 s: two jumps by id in a fleet's pilot; the fleet's source column test stays quick.
    "tui/test_series.py::test_going_to_an_id_in_a_fleet_says_which_sources_have_it",
    # ~0.5 s each: exports of the 286-goroutine SIGQUIT capture, and one cut short; the
    # crash capture's rows, CloudWatch's and the fleets over time stay quick.
    "test_log_exports.py::test_an_export_cut_short_is_read_to_its_last_whole_entry",
})


# Rows of a sample test that the quick loop leaves to CI although their sample is quick:
# test -> sample prefixes. The crash samples are one chunk each, so every --jobs reads them
# in one process; the quick loop keeps the leaky and locks dumps (read in ~100 chunks) and
# every wrapped sample (~0.2 s a row: three reports and a parallel parse). Crash reports
# stay in the other two tests' quick rows through the wrapped crash samples (a panic in
# `go test -json`, SIGQUIT logs) and the golden crash report.
SLOW_ROWS = {
    "test_parallel.py::test_samples_read_alike_by_one_and_several_processes": ("dumps/go1.27/crashzoo.",),
    "render/test_render.py::test_json_validates_against_the_shipped_schema": ("dumps/go1.27/crashzoo.",),
    "test_lalr.py::test_the_runner_parses_every_sample_block_as_lark_does": ("dumps/go1.27/crashzoo.",),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)  # without its parameters
        test = f"{item.path.relative_to(TESTS).as_posix()}::{name}"
        if test in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        for value in params.values():
            sample = _sample_id(value)
            if sample is not None and (not sample.startswith(QUICK_DIRS) or sample.startswith(SLOW_ROWS.get(test, ()))):
                item.add_marker(pytest.mark.slow)
                break


@pytest.fixture
def cut_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every input is big enough to cut, into many small chunks (up to 64 a process), and
    cuts are looked for in small windows. Waits for threads an earlier test of this
    process left behind (a fleet's fetches ending): with one running, nothing forks."""
    import threading

    from gtriage import file_chunks, job_count, parallel

    for t in threading.enumerate():
        if t is not threading.current_thread():
            t.join(timeout=10)
    monkeypatch.setattr(job_count, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_CHUNK_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNKS_PER_JOB", 64)
    monkeypatch.setattr(file_chunks, "WINDOW", 512)
