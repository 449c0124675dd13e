"""What the command line names, as the dumps to read: @lists, directories, archives, and the
short names a fleet's sources go by."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from gtriage.errors import SourceError
from gtriage.inputs import Input, expand_inputs, short_names


def test_files_urls_and_stdin_are_read_as_given() -> None:
    specs = ["-", "http://10.0.0.5:6060/debug/pprof/goroutine?debug=2", "no/such/file.txt"]
    assert expand_inputs(specs) == [Input(s) for s in specs]


def test_a_list_names_inputs_one_a_line(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("# the pods\nhttp://a:6060/x\n\n  http://b:6060/x  \n")
    assert expand_inputs([f"@{listing}"]) == [Input("http://a:6060/x"), Input("http://b:6060/x")]


@pytest.mark.parametrize(("content", "message"), [(None, "No such file"), ("# nothing\n\n", "lists no inputs")])
def test_a_bad_list_is_one_line(tmp_path: Path, content: str | None, message: str) -> None:
    listing = tmp_path / "urls.txt"
    if content is not None:
        listing.write_text(content)
    with pytest.raises(SourceError, match=message):
        expand_inputs([f"@{listing}"])


def test_a_directory_is_its_files_by_name(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", ".hidden"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    assert expand_inputs([str(tmp_path)]) == [Input(str(tmp_path / "a.txt")), Input(str(tmp_path / "b.txt"))]


def test_an_empty_directory_or_archive_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="without files"):
        expand_inputs([str(tmp_path)])
    archive = tmp_path / "x.tar.gz"
    with tarfile.open(archive, "w:gz"):
        pass
    with pytest.raises(SourceError, match="archive without files"):
        expand_inputs([str(archive)])


def test_a_broken_archive_is_one_line(tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    archive.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SourceError, match="not a readable archive"):
        expand_inputs([str(archive)])


def test_short_names_tell_sources_apart() -> None:
    inputs = [
        Input("dumps/pod-a.txt"),
        Input("dumps/pod-b.txt.gz"),
        Input("http://10.0.0.5:6060/debug/pprof/goroutine?debug=2"),
        Input("other/pod-a.txt"),
        Input("fleet.tar.gz", "x/pod-c.log"),
        Input("-"),
    ]
    assert short_names(inputs) == ["pod-a", "pod-b", "10.0.0.5:6060", "pod-a#2", "pod-c", "stdin"]
