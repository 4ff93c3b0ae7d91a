import os
import threading

import pytest

from host.store.ownership import LOCK_NAME, Owner, StateDirInUse, StateDirLock, current_owner


def test_a_directory_has_no_owner_until_a_host_takes_it(tmp_path):
    assert current_owner(tmp_path) is None
    lock = StateDirLock(tmp_path)
    lock.acquire()
    assert current_owner(tmp_path) == Owner(pid=os.getpid(), endpoint=None)
    lock.announce("http://127.0.0.1:9001")
    assert current_owner(tmp_path) == Owner(pid=os.getpid(), endpoint="http://127.0.0.1:9001")
    lock.release()
    assert current_owner(tmp_path) is None


def test_a_second_lock_is_refused_with_the_owner_named_even_in_the_same_process(tmp_path):
    first = StateDirLock(tmp_path)
    first.acquire()
    first.announce("http://127.0.0.1:9001")
    with pytest.raises(StateDirInUse) as refused:
        StateDirLock(tmp_path).acquire()
    assert refused.value.owner == Owner(pid=os.getpid(), endpoint="http://127.0.0.1:9001")
    assert f"in use by lambda-host pid {os.getpid()} serving http://127.0.0.1:9001" in str(refused.value)
    assert "--state-dir" in str(refused.value)
    first.release()
    again = StateDirLock(tmp_path)
    again.acquire()  # free once the owner let go
    again.release()


def test_what_a_killed_owner_left_in_the_file_names_no_one(tmp_path):
    (tmp_path / LOCK_NAME).write_text('{"pid": 999999, "endpoint": "http://127.0.0.1:1"}')
    assert current_owner(tmp_path) is None
    lock = StateDirLock(tmp_path)
    lock.acquire()  # the kernel dropped the dead host's lock: the directory is free
    assert current_owner(tmp_path).pid == os.getpid()
    lock.release()


def test_readers_asking_who_owns_the_directory_never_make_a_starting_host_give_up(tmp_path):
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            current_owner(tmp_path)

    readers = [threading.Thread(target=ask) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(50):
            lock = StateDirLock(tmp_path)
            lock.acquire()
            lock.release()
    finally:
        stop.set()
        for reader in readers:
            reader.join()


def test_release_without_acquire_does_nothing(tmp_path):
    lock = StateDirLock(tmp_path)
    lock.release()
    lock.announce("http://x")
    assert not lock.held
