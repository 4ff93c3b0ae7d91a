"""Content-addressed deployment packages and merged layer folders under the state directory.

1. ``store_zip`` checks and unzips a package once into ``code/<sha256>/`` (kept with its
   zip for download); the same bytes uploaded again reuse the folder. ``check_zip`` makes
   the same checks and stores nothing (UpdateFunctionCode's DryRun).
2. ``merged_layers`` builds ``opt/<hash>/`` from layers in order (later layers win) once
   per combination, so an environment's ``/opt`` is never rebuilt per invoke.

Zips are checked the way Lambda checks them: unreadable, empty, too big unzipped, or
with paths escaping the folder gives AWS's ``InvalidParameterValueException``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from host.core.errors import InvalidParameterValue, RequestEntityTooLarge
from host.core.model import CodeRef

MAX_ZIPPED_SIZE = 52428800
MAX_UNZIPPED_SIZE = 262144000
UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."


class PackageStore:
    def __init__(self, root: Path) -> None:
        self.code_dir = root / "code"
        self.opt_dir = root / "opt"
        self.tmp_dir = root / "tmp"
        for folder in (self.code_dir, self.opt_dir, self.tmp_dir):
            folder.mkdir(parents=True, exist_ok=True)

    def store_zip(self, data: bytes, from_s3: bool = False) -> CodeRef:
        """Check and unzip ``data``; the result is shared by every upload of the same bytes.

        ``from_s3``: fetched from S3, where the 50 MB limit of a direct upload does not apply.
        """
        ref = self._reference(data, from_s3)
        target = Path(ref.path)
        hex_digest = target.name
        if target.is_dir():
            return ref
        archive = _open_zip(data)
        staging = Path(tempfile.mkdtemp(dir=self.tmp_dir))
        try:
            extract(archive, staging)
            kept_zip = staging.with_suffix(".zip")
            kept_zip.write_bytes(data)
            os.replace(kept_zip, self.code_dir / f"{hex_digest}.zip")
            try:
                os.rename(staging, target)
            except OSError:
                if not target.is_dir():  # another thread stored the same bytes first otherwise
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return ref

    def check_zip(self, data: bytes, from_s3: bool = False) -> CodeRef:
        """What ``store_zip`` would give for ``data``, checked the same way, leaving the store as it was.

        For a DryRun: the zip is unpacked into a scratch folder that is removed again.
        """
        ref = self._reference(data, from_s3)
        if Path(ref.path).is_dir():
            return ref
        archive = _open_zip(data)
        scratch = Path(tempfile.mkdtemp(dir=self.tmp_dir))
        try:
            extract(archive, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return ref

    def _reference(self, data: bytes, from_s3: bool = False) -> CodeRef:
        """The CodeRef of a package: its SHA-256 names its folder; one too big is refused."""
        if len(data) > MAX_ZIPPED_SIZE and not from_s3:
            raise RequestEntityTooLarge(f"Zipped size must be smaller than {MAX_ZIPPED_SIZE} bytes")
        digest = hashlib.sha256(data)
        return CodeRef(base64.b64encode(digest.digest()).decode(), len(data), str(self.code_dir / digest.hexdigest()))

    def zip_path(self, code: CodeRef) -> Path | None:
        path = self.code_dir / f"{Path(code.path).name}.zip"
        return path if path.is_file() else None

    def local_folder(self, folder: str) -> CodeRef:
        """A developer's folder used in place (its edits are seen by new environments)."""
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise InvalidParameterValue(f"The local code folder {folder} does not exist.")
        fingerprint, size = folder_fingerprint(str(path))
        digest = hashlib.sha256(f"{path}\0{fingerprint}".encode()).digest()
        return CodeRef(base64.b64encode(digest).decode(), size, str(path), local=True)

    def merged_layers(self, layers: Iterable[CodeRef]) -> str | None:
        """A folder holding ``layers`` merged in order, or None when there are none.

        Each layer's zip is unpacked over the previous ones with the checks uploads get,
        so a symlink one layer made cannot send another layer's files outside the folder.
        """
        layers = list(layers)
        if not layers:
            return None
        key = hashlib.sha256("\0".join(layer.path for layer in layers).encode()).hexdigest()
        target = self.opt_dir / key
        if target.is_dir():
            return str(target)
        staging = Path(tempfile.mkdtemp(dir=self.tmp_dir))
        try:
            for layer in layers:
                archive = self.zip_path(layer)
                if archive is None:
                    raise InvalidParameterValue(f"The content of a layer ({layer.sha256}) is missing from the store.")
                with zipfile.ZipFile(archive) as opened:
                    extract(opened, staging)
            try:
                os.rename(staging, target)
            except OSError:
                if not target.is_dir():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return str(target)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InvalidParameterValue(UNZIP_FAILED) from exc
    if not infos:
        raise InvalidParameterValue("Uploaded file must be a non-empty zip")
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_SIZE:
        raise InvalidParameterValue(f"Unzipped size must be smaller than {MAX_UNZIPPED_SIZE} bytes")
    return archive


def _safe_target(root: Path, name: str) -> Path:
    """Where entry ``name`` goes: inside ``root``, never through a symlink an earlier entry made."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise InvalidParameterValue(UNZIP_FAILED)
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise InvalidParameterValue(UNZIP_FAILED)
    return folder / parts[-1]


def extract(archive: zipfile.ZipFile, root: Path) -> None:
    """Unzip into ``root`` keeping Unix modes and symlinks; everything stays readable."""
    try:
        for info in archive.infolist():
            target = _safe_target(root, info.filename)
            mode = info.external_attr >> 16
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                target.unlink()  # replaced, not written through
            if stat.S_ISLNK(mode):
                link = archive.read(info).decode("utf-8", "surrogateescape")
                if target.exists():
                    target.unlink()
                os.symlink(link, target)
                continue
            with archive.open(info) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
            permissions = (mode & 0o777) if mode else 0o644  # no setuid, setgid or sticky bits
            os.chmod(target, permissions | 0o444)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InvalidParameterValue(UNZIP_FAILED) from exc
    for folder, dirs, _files in os.walk(root):
        for name in dirs:
            path = Path(folder) / name
            if not path.is_symlink():
                os.chmod(path, 0o755)
    os.chmod(root, 0o755)


def zip_folder(folder: Path) -> bytes:
    """A folder as a deployment package (modes kept; Python caches left out)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def folder_digest(path: str) -> str:
    """A fingerprint of a folder's files (names, sizes, modification times): it changes when any file does."""
    return folder_fingerprint(path)[0]


def folder_fingerprint(path: str) -> tuple[str, int]:
    """``folder_digest`` and the files' total size, from one walk (stat only, no reading)."""
    digest = hashlib.sha256()
    total = 0
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            full = os.path.join(folder, name)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            total += info.st_size
            digest.update(f"{os.path.relpath(full, path)}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest(), total
