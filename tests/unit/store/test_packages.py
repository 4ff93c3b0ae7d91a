"""Deployment packages: checked and unzipped once per content, with modes and symlinks kept."""

import base64
import contextlib
import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from host.core.errors import InvalidParameterValue
from host.core.model import CodeRef
from host.store.packages import UNZIP_FAILED, PackageStore


def make_zip(files: dict[str, bytes | str], modes: dict[str, int] | None = None, links: dict[str, str] | None = None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            mode = (modes or {}).get(name)
            if mode is not None:
                info.external_attr = (stat.S_IFREG | mode) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path):
    return PackageStore(tmp_path / "state")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_extracted_with_their_content(store):
    ref = store.store_zip(make_zip({"app.py": "print(1)\n", "lib/util.py": "X = 1\n"}))
    root = Path(ref.path)
    assert (root / "app.py").read_text() == "print(1)\n"
    assert (root / "lib" / "util.py").read_text() == "X = 1\n"


def test_the_executable_bit_is_kept_and_everything_stays_readable(store):
    data = make_zip(
        {"bootstrap": "#!/bin/sh\n", "secret.txt": "s", "plain.txt": "p"}, {"bootstrap": 0o755, "secret.txt": 0o600}
    )
    root = Path(store.store_zip(data).path)
    assert mode_of(root / "bootstrap") == 0o755
    assert mode_of(root / "secret.txt") == 0o644
    assert mode_of(root / "plain.txt") == 0o644
    assert mode_of(root) == 0o755


def test_symlinks_are_kept_as_symlinks(store):
    root = Path(store.store_zip(make_zip({"real.txt": "hi"}, links={"alias.txt": "real.txt"})).path)
    assert (root / "alias.txt").is_symlink()
    assert os.readlink(root / "alias.txt") == "real.txt"
    assert (root / "alias.txt").read_text() == "hi"


def test_code_sha256_is_the_base64_sha256_of_the_zip(store):
    data = make_zip({"app.py": "x"})
    ref = store.store_zip(data)
    assert ref.sha256 == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert ref.size == len(data)


def test_the_same_bytes_are_stored_once(store):
    data = make_zip({"app.py": "x"})
    first, second = store.store_zip(data), store.store_zip(data)
    assert first == second
    assert [p.name for p in store.code_dir.iterdir() if p.is_dir()] == [Path(first.path).name]


def test_the_uploaded_zip_is_kept_for_download(store):
    data = make_zip({"app.py": "x"})
    ref = store.store_zip(data)
    assert store.zip_path(ref).read_bytes() == data


def test_a_file_that_is_not_a_zip_cannot_be_unzipped(store):
    with pytest.raises(InvalidParameterValue) as caught:
        store.store_zip(b"this is not a zip file")
    assert caught.value.message == "Could not unzip uploaded file. Please check your file, then try to upload again."


def test_an_empty_zip_is_refused(store):
    with pytest.raises(InvalidParameterValue, match=r"^Uploaded file must be a non-empty zip$"):
        store.store_zip(make_zip({}))


def test_a_path_escaping_the_folder_is_refused(store, tmp_path):
    with pytest.raises(InvalidParameterValue, match=UNZIP_FAILED):
        store.store_zip(make_zip({"../evil": "x"}))
    assert not (tmp_path / "state" / "code" / "evil").exists()
    assert not any(p.is_dir() for p in store.code_dir.iterdir())


def test_an_absolute_path_stays_inside_the_folder(store):
    root = Path(store.store_zip(make_zip({"/abs/file.txt": "x"})).path)
    assert (root / "abs" / "file.txt").read_text() == "x"


def test_a_file_under_a_symlinked_folder_is_not_written_outside_the_store(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    data = make_zip({"escape/evil.txt": "pwned"}, links={"escape": str(outside)})
    with contextlib.suppress(InvalidParameterValue):
        store.store_zip(data)
    assert list(outside.iterdir()) == []


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_file_does_not_overwrite_the_target_of_a_symlink_of_the_same_name(store, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("original")
    data = make_zip({"app.py": "pwned"}, links={"app.py": str(victim)})
    with contextlib.suppress(InvalidParameterValue):
        store.store_zip(data)
    assert victim.read_text() == "original"


def layer(store, files):
    return store.store_zip(make_zip(files))


def test_no_layers_merge_into_no_folder(store):
    assert store.merged_layers([]) is None


def test_merged_layers_hold_every_layer_and_later_layers_win(store):
    first = layer(store, {"python/shared.py": "first", "python/a.py": "a"})
    second = layer(store, {"python/shared.py": "second", "bin/tool": "t"})
    merged = Path(store.merged_layers([first, second]))
    assert (merged / "python" / "shared.py").read_text() == "second"
    assert (merged / "python" / "a.py").read_text() == "a"
    assert (merged / "bin" / "tool").read_text() == "t"


def test_the_same_layers_reuse_the_same_merged_folder(store):
    first, second = layer(store, {"a": "1"}), layer(store, {"b": "2"})
    assert store.merged_layers([first, second]) == store.merged_layers([first, second])
    assert store.merged_layers([second, first]) != store.merged_layers([first, second])


def test_a_local_folder_is_used_in_place(store, tmp_path):
    ref = store.local_folder(str(tmp_path))
    assert ref == CodeRef(ref.sha256, 0, str(tmp_path.resolve()), local=True)
    with pytest.raises(InvalidParameterValue, match="does not exist"):
        store.local_folder(str(tmp_path / "missing"))


def test_a_symlink_in_one_layer_cannot_send_another_layers_files_outside(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    first = store.store_zip(make_zip({"keep.txt": "a"}, links={"python": str(outside)}))
    second = store.store_zip(make_zip({"python/evil.txt": "pwned"}))
    with contextlib.suppress(InvalidParameterValue):
        store.merged_layers([first, second])
    assert list(outside.iterdir()) == []


def test_setuid_bits_are_not_kept(store):
    root = Path(store.store_zip(make_zip({"tool": "x"}, modes={"tool": 0o4755})).path)
    assert (root / "tool").stat().st_mode & 0o7777 == 0o755


# -- checking without storing (UpdateFunctionCode's DryRun) -----------------------------------------


def test_checking_a_package_gives_the_ref_storing_it_would_and_stores_nothing(store):
    data = make_zip({"app.py": "print(1)\n"})
    checked = store.check_zip(data)
    assert list(store.code_dir.iterdir()) == [] and list(store.tmp_dir.iterdir()) == []
    assert store.store_zip(data) == checked
    assert store.check_zip(data) == checked  # already stored: the same answer


@pytest.mark.parametrize(
    "data",
    [b"not a zip", make_zip({}), make_zip({"../escape.py": "x"}), make_zip({"a/b.py": "x"}, links={"a": "/etc"})],
)
def test_checking_refuses_what_storing_refuses(store, data):
    with pytest.raises(InvalidParameterValue):
        store.store_zip(data)
    with pytest.raises(InvalidParameterValue):
        store.check_zip(data)
    assert list(store.code_dir.iterdir()) == [] and list(store.tmp_dir.iterdir()) == []
