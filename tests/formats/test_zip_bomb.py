"""Zip bombs are caught from the directory or while streaming, never by inflating them in full."""
import io
import time
import tracemalloc
import zipfile
from types import SimpleNamespace

import pytest

from smart.formats import Limits, ParseFailure
from smart.formats.safezip import LimitedReader

from .samples import deflate_zeros_zip, failure, report_xml, zip_of


def test_one_gigabyte_of_zeros_is_refused_fast_and_small():
    bomb = deflate_zeros_zip(1 << 30)
    assert len(bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    start = time.perf_counter()
    exc = failure(bomb)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert exc.status == "zip_bomb"
    assert elapsed < 2 and peak < 50 * 1024 * 1024


def test_ratio_limit_applies_even_under_the_size_limit():
    bomb = deflate_zeros_zip(64 << 20)  # 64 MiB at ~1000:1
    assert failure(bomb).status == "zip_bomb"
    assert failure(bomb, limits=Limits(max_ratio=10_000)).status != "zip_bomb"


def test_total_declared_size_is_limited():
    data = zip_of({"sysinfo.xml": report_xml()})
    assert failure(data, limits=Limits(max_unpacked_bytes=100)).status == "zip_bomb"


def test_member_count_is_limited():
    data = zip_of({f"part{i}.txt": b"x" for i in range(40)} | {"sysinfo.xml": report_xml()})
    assert failure(data).status == "zip_bomb"


def test_upload_size_is_limited_before_anything_else():
    data = zip_of({"sysinfo.xml": report_xml()})
    assert failure(data, limits=Limits(max_upload_bytes=len(data) - 1)).status == "too_large"


class _Endless:
    """A decompressor that never ends, as a member whose header lies about its size would be."""

    def __init__(self):
        self.given = 0

    def read(self, size):
        self.given += size
        return b"\0" * size

    def close(self):
        pass


def test_stream_stops_at_the_ratio_limit():
    info = SimpleNamespace(filename="x.xml", compress_size=1000, file_size=10**12)
    stream = _Endless()
    reader = LimitedReader(stream, info, Limits())
    with pytest.raises(ParseFailure) as caught:
        while reader.read(64 * 1024):
            pass
    assert caught.value.status == "zip_bomb"
    assert stream.given <= 2 * 1024 * 1024


def test_stream_stops_at_the_size_limit():
    info = SimpleNamespace(filename="x.xml", compress_size=10**9, file_size=10**12)
    stream = _Endless()
    reader = LimitedReader(stream, info, Limits(max_unpacked_bytes=3 * 1024 * 1024))
    with pytest.raises(ParseFailure) as caught:
        while reader.read(-1):
            pass
    assert caught.value.status == "zip_bomb" and stream.given <= 4 * 1024 * 1024


def test_reads_are_bounded_even_when_everything_is_asked_for():
    info = SimpleNamespace(filename="x.xml", compress_size=10**9, file_size=10**9)
    stream = _Endless()
    LimitedReader(stream, info, Limits()).read(-1)
    assert stream.given <= 1024 * 1024


def test_zipfile_itself_never_reads_past_the_declared_size():
    # Why the directory check suffices in practice: CPython caps output at the declared size.
    bomb = deflate_zeros_zip(8 << 20)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.infolist()[0].file_size == 8 << 20
