"""Hot reload: edits in a watched folder refresh its functions once per burst; caches, swap files and
folders no longer in use do not."""

import threading
import time

import pytest

from host.service.code_watch import CodeWatcher, _matters

SETTLE = 0.05
QUIET = 0.3  # how long to wait to be sure nothing (more) happens: several settle periods


class Refreshes:
    """The refresh callback: records each call, optionally failing for some names."""

    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.calls: list[str] = []
        self.failing = failing
        self.lock = threading.Lock()

    def __call__(self, name: str) -> bool:
        with self.lock:
            self.calls.append(name)
        if name in self.failing:
            raise RuntimeError(f"{name} is broken")
        return True

    def wait_for(self, count: int, timeout: float = 3.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.calls) >= count:
                    break
            time.sleep(0.01)
        with self.lock:
            return list(self.calls)


@pytest.fixture
def folders(tmp_path):
    made = {}
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "app.py").write_text("x = 0\n")
        made[name] = folder
    return made


@pytest.fixture
def watch(folders):
    """A started watcher over folders a (function fa) and b (functions fb1, fb2); the mapping can be changed."""
    mapping = {str(folders["a"]): ["fa"], str(folders["b"]): ["fb1", "fb2"]}
    refreshes = Refreshes(failing=("fb1",))
    watcher = CodeWatcher(lambda: dict(mapping), refreshes, settle=SETTLE)
    watcher.start()
    yield watcher, mapping, refreshes
    watcher.close()


def test_a_burst_of_writes_refreshes_the_function_once(watch, folders):
    _, _, refreshes = watch
    app = folders["a"] / "app.py"
    for i in range(5):
        app.write_text(f"x = {i}\n")
    (folders["a"] / "new.py").write_text("y = 1\n")
    assert refreshes.wait_for(1) == ["fa"]
    time.sleep(QUIET)
    assert refreshes.calls == ["fa"]


def test_separate_edits_refresh_again(watch, folders):
    _, _, refreshes = watch
    (folders["a"] / "app.py").write_text("x = 1\n")
    assert refreshes.wait_for(1) == ["fa"]
    time.sleep(SETTLE * 2)
    (folders["a"] / "app.py").write_text("x = 2\n")
    assert refreshes.wait_for(2) == ["fa", "fa"]


def test_a_change_in_a_subfolder_counts(watch, folders):
    _, _, refreshes = watch
    package = folders["a"] / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("z = 1\n")
    assert refreshes.wait_for(1) == ["fa"]


def test_every_function_of_a_folder_is_refreshed_even_when_one_fails(watch, folders):
    _, _, refreshes = watch
    (folders["b"] / "app.py").write_text("x = 1\n")
    assert sorted(refreshes.wait_for(2)) == ["fb1", "fb2"]  # fb1 raises; fb2 is still refreshed


def test_a_deleted_file_counts(watch, folders):
    _, _, refreshes = watch
    (folders["a"] / "app.py").unlink()
    assert refreshes.wait_for(1) == ["fa"]


@pytest.mark.parametrize(
    "path",
    [
        "app.py",
        "pkg/mod.py",
        "data.json",
        "sub/dir",
    ],
)
def test_code_paths_matter(folders, path):
    assert _matters(str(folders["a"] / path))


@pytest.mark.parametrize(
    "path",
    [
        "__pycache__",
        "__pycache__/app.cpython-312.pyc",
        "pkg/__pycache__/mod.cpython-312.pyc",
        "stray.pyc",
        ".app.py.swp",
        ".app.py.swx",
        "app.py~",
        "upload.tmp",
        ".#app.py",
        ".git/index",
        ".mypy_cache/x.json",
        ".pytest_cache/v/cache/lastfailed",
    ],
)
def test_caches_and_editor_files_do_not_matter(folders, path):
    assert not _matters(str(folders["a"] / path))


def test_changes_inside_python_caches_are_ignored(folders):
    folder = folders["a"]
    for cache in (folder / "__pycache__", folder / "pkg" / "__pycache__", folder / ".git"):
        cache.mkdir(parents=True)
    (folder / "pkg" / "mod.py").write_text("z = 1\n")
    refreshes = Refreshes()
    watcher = CodeWatcher(lambda: {str(folder): ["fa"]}, refreshes, settle=SETTLE)
    watcher.start()
    try:
        (folder / "__pycache__" / "app.cpython-312.pyc").write_bytes(b"cache")
        (folder / "pkg" / "__pycache__" / "mod.cpython-312.pyc").write_bytes(b"cache")
        (folder / "__pycache__" / "app.cpython-312.pyc").unlink()
        (folder / ".git" / "index").write_bytes(b"git")
        time.sleep(QUIET)
        assert refreshes.calls == []
        (folder / "app.py").write_text("x = 1\n")  # the watch was live all along
        assert refreshes.wait_for(1) == ["fa"]
    finally:
        watcher.close()


def test_editor_swap_and_backup_files_are_ignored(watch, folders):
    _, _, refreshes = watch
    folder = folders["a"]
    (folder / ".app.py.swp").write_bytes(b"swap")
    (folder / "app.py~").write_text("backup")
    (folder / ".#app.py").write_text("lock")
    time.sleep(QUIET)
    assert refreshes.calls == []


def test_follow_stops_watching_a_folder_no_longer_used(watch, folders):
    watcher, mapping, refreshes = watch
    emitters = len(watcher.observer.emitters)
    del mapping[str(folders["b"])]
    watcher.follow()
    assert set(watcher.watches) == {str(folders["a"])}
    assert len(watcher.observer.emitters) == emitters - 1
    (folders["b"] / "app.py").write_text("x = 1\n")
    (folders["a"] / "app.py").write_text("x = 1\n")
    assert refreshes.wait_for(1) == ["fa"]
    time.sleep(QUIET)
    assert refreshes.calls == ["fa"]


def test_follow_starts_watching_a_new_folder(watch, tmp_path):
    watcher, mapping, refreshes = watch
    folder = tmp_path / "c"
    folder.mkdir()
    mapping[str(folder)] = ["fc"]
    watcher.follow()
    assert str(folder) in watcher.watches
    (folder / "handler.py").write_text("def handler(e, c): pass\n")
    assert refreshes.wait_for(1) == ["fc"]


def test_a_folder_that_cannot_be_watched_is_skipped(watch, tmp_path, caplog):
    watcher, mapping, _ = watch
    mapping[str(tmp_path / "gone")] = ["fg"]
    watcher.follow()
    assert str(tmp_path / "gone") not in watcher.watches
    assert "cannot watch" in caplog.text


def test_close_stops_watching(watch, folders):
    watcher, _, refreshes = watch
    watcher.close()
    assert not watcher.observer.is_alive()
    (folders["a"] / "app.py").write_text("x = 1\n")
    watcher.follow()  # after close, follow does nothing
    time.sleep(QUIET)
    assert refreshes.calls == []


def test_close_cancels_a_pending_refresh(folders):
    refreshes = Refreshes()
    watcher = CodeWatcher(lambda: {str(folders["a"]): ["fa"]}, refreshes, settle=QUIET)
    watcher.start()
    try:
        (folders["a"] / "app.py").write_text("x = 1\n")
        deadline = time.monotonic() + 3
        while watcher.timer is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert watcher.timer is not None, "the change was never seen"
    finally:
        watcher.close()
    time.sleep(QUIET + SETTLE)
    assert refreshes.calls == []
