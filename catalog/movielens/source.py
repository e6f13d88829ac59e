"""A MovieLens data set on disk or on the web, and its CSV files read row by row."""

import csv
import logging
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import requests
from tqdm import tqdm

logger = logging.getLogger(__name__)

EXPECTED_HEADERS = {
    "movies.csv": ["movieId", "title", "genres"],
    "links.csv": ["movieId", "imdbId", "tmdbId"],
    "ratings.csv": ["userId", "movieId", "rating", "timestamp"],
    "tags.csv": ["userId", "movieId", "tag", "timestamp"],
}
DOWNLOAD_CHUNK_BYTES = 1 << 20


class MovieLensImportError(Exception):
    """The source cannot be imported; the message says which file and line."""


class MovieLensSource:
    """The CSV files of one data set, in a zip or a directory."""

    def __init__(self, path):
        self.path = Path(path)
        self._zip = None
        self._members = {}
        if self.path.is_dir():
            for name in EXPECTED_HEADERS:
                found = sorted(self.path.rglob(name))
                if found:
                    self._members[name] = found[0]
        elif self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile as exc:
                raise MovieLensImportError(f"{self.path} is not a valid zip file ({exc}).") from exc
            for info in self._zip.infolist():
                name = PurePosixPath(info.filename).name
                if name in EXPECTED_HEADERS and name not in self._members:
                    self._members[name] = info
        else:
            raise MovieLensImportError(f"{self.path} does not exist.")
        missing = [name for name in ("movies.csv", "ratings.csv") if name not in self._members]
        if missing:
            raise MovieLensImportError(
                f"{self.path} does not look like a MovieLens data set: missing "
                + ", ".join(missing)
                + "."
            )

    def close(self):
        if self._zip is not None:
            self._zip.close()

    def has(self, name):
        return name in self._members

    def size(self, name):
        member = self._members[name]
        return member.file_size if self._zip else member.stat().st_size

    @contextmanager
    def open_binary(self, name):
        member = self._members[name]
        try:
            # Closed in the ``finally`` below, after the caller is done with it.
            stream = self._zip.open(member) if self._zip else open(member, "rb")  # noqa: SIM115
        except (zipfile.BadZipFile, OSError) as exc:
            raise MovieLensImportError(f"{name}: cannot be read ({exc}).") from exc
        try:
            yield stream
        except zipfile.BadZipFile as exc:
            raise MovieLensImportError(f"{name}: the zip file is corrupt ({exc}).") from exc
        finally:
            stream.close()

    @contextmanager
    def open_lines(self, name):
        """Decoded lines of ``name``; a line that is not UTF-8 is an error naming it."""
        with self.open_binary(name) as stream:
            yield _decode_lines(name, stream)


def _decode_lines(name, stream):
    # Decoding line by line (not with a TextIOWrapper, which decodes in blocks)
    # lets an encoding error name the line it is on.
    for number, raw_line in enumerate(stream, start=1):
        try:
            yield raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MovieLensImportError(
                f"{name}, line {number}: not valid UTF-8 ({exc.reason})."
            ) from exc


def resolve_source(source, download_dir, progress=True):
    """Return a local path for ``source``, downloading it when it is a URL."""
    source = str(source)
    if urlparse(source).scheme not in ("http", "https"):
        return Path(source).expanduser()
    download_dir = Path(download_dir)
    download_dir.mkdir(parents=True, exist_ok=True)
    target = download_dir / (PurePosixPath(urlparse(source).path).name or "movielens.zip")
    if target.is_file() and zipfile.is_zipfile(target):
        logger.info("Using the copy downloaded earlier: %s", target)
        return target
    partial = target.with_suffix(target.suffix + ".part")
    hint = (
        "When offline, set MOVIELENS_SOURCE (or pass SOURCE) to a local copy of the "
        "zip or its extracted folder."
    )
    try:
        with requests.get(source, stream=True, timeout=(10, 60)) as response:
            response.raise_for_status()
            total = int(response.headers.get("Content-Length") or 0) or None
            with (
                open(partial, "wb") as out,
                tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    desc=f"Downloading {target.name}",
                    disable=not progress,
                ) as bar,
            ):
                for chunk in response.iter_content(DOWNLOAD_CHUNK_BYTES):
                    out.write(chunk)
                    bar.update(len(chunk))
    except requests.RequestException as exc:
        partial.unlink(missing_ok=True)
        raise MovieLensImportError(f"Could not download {source}: {exc}. {hint}") from exc
    partial.replace(target)
    return target


# --- CSV rows -------------------------------------------------------------------


def check_header(name, header):
    expected = EXPECTED_HEADERS[name]
    if [column.strip().lstrip("\ufeff") for column in header] != expected:
        raise MovieLensImportError(
            f"{name}, line 1: expected the header {','.join(expected)!r}, "
            f"found {','.join(header)!r}."
        )


def read_csv(source, name):
    """Yield ``(line_number, row)`` after checking the header; decode errors are ours."""
    with source.open_lines(name) as lines:
        reader = csv.reader(lines)
        try:
            check_header(name, next(reader, []))
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise MovieLensImportError(f"{name}, line {reader.line_num}: {exc}.") from exc


def positive_int(name, line, value, what):
    try:
        number = int(value)
    except ValueError:
        raise MovieLensImportError(f"{name}, line {line}: {what} {value!r} is not a number.")
    if number <= 0:
        raise MovieLensImportError(f"{name}, line {line}: {what} {value!r} must be positive.")
    return number


def expect_columns(name, line, row, count):
    if len(row) != count:
        raise MovieLensImportError(
            f"{name}, line {line}: expected {count} columns, found {len(row)}."
        )
