"""The export store on real files: expiry, the size cap (oldest first, never the newest), the sweeper
thread, and removal of everything on close."""

import time

import pytest

from splat_core.store import ExportStore


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def write(size: int):
    return lambda path: path.write_bytes(bytes(size))


@pytest.fixture
def clock():
    return Clock()


def test_files_expire_after_the_ttl(tmp_path, clock):
    store = ExportStore(tmp_path, ttl=600, sweep_every=3600, clock=clock)
    old = store.save("old.ply", write(10))
    clock.now += 400
    new = store.save("new.ply", write(10))
    assert old.read_bytes() == bytes(10) and old.name == "old.ply" and old.parent.parent == store.root
    clock.now += 201  # old is 601 s old, new 201 s
    store.sweep()
    assert not old.exists() and not old.parent.exists(), "an expired file (and its folder) must go"
    assert new.exists() and new in store and store.total_bytes == 10
    store.close()


def test_the_size_cap_removes_the_oldest_first_but_never_the_newest(tmp_path, clock):
    store = ExportStore(tmp_path, ttl=600, max_bytes=250, sweep_every=3600, clock=clock)
    paths = []
    for i in range(4):
        clock.now += 1
        paths.append(store.save(f"{i}.ply", write(100)))
    assert [p.exists() for p in paths] == [False, False, True, True] and store.total_bytes == 200
    huge = store.save("huge.ply", write(1000))  # alone over the cap: still served
    assert huge.exists() and not any(p.exists() for p in paths) and store.total_bytes == 1000
    assert sum(f.stat().st_size for f in store.root.rglob("*") if f.is_file()) == 1000, "disk = accounting"
    store.sweep()  # what the sweeper thread does: the newest stays until it expires
    assert huge.exists() and huge in store
    clock.now += 601
    store.sweep()
    assert not huge.exists() and store.total_bytes == 0
    store.close()


def test_names_may_repeat_and_a_failed_write_leaves_nothing(tmp_path, clock):
    store = ExportStore(tmp_path, sweep_every=3600, clock=clock)
    first, second = store.save("capture.ply", write(1)), store.save("capture.ply", write(2))
    assert first != second and first.read_bytes() != second.read_bytes()

    def fail(path):
        path.write_bytes(b"partial")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.save("broken.ply", fail)
    assert sorted(p.name for p in store.root.rglob("*.ply")) == ["capture.ply", "capture.ply"]
    store.close()


def test_the_sweeper_clears_an_idle_store(tmp_path):
    store = ExportStore(tmp_path, ttl=0.3, sweep_every=0.05)
    path = store.save("a.spz", write(10))
    deadline = time.monotonic() + 10
    while path.exists():
        assert time.monotonic() < deadline, "the sweeper never removed the expired file"
        time.sleep(0.05)
    assert store.total_bytes == 0
    store.close()


def test_close_removes_everything_and_refuses_later_saves(tmp_path, clock):
    store = ExportStore(tmp_path, sweep_every=3600, clock=clock)
    store.save("a.ply", write(10))
    other = ExportStore(tmp_path, sweep_every=3600, clock=clock)  # another server on the same cache
    kept = other.save("b.ply", write(10))
    store.close()
    assert not store.root.exists() and kept.exists(), "close removes its own folder only"
    with pytest.raises(RuntimeError, match="stopping"):
        store.save("late.ply", write(1))
    store.close()  # twice is fine
    other.close()
    assert list(tmp_path.iterdir()) == []
