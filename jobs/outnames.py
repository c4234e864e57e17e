"""The file names of a batch's decks: safe on every system, short enough in bytes, and never shared.

``<workbook>.pptx``, or ``<workbook>-<value>.pptx`` for a split. Characters
that cannot or should not be in a file name (path separators, ``<>:"|?*``,
spaces, control and invisible format characters such as bidi overrides)
become ``_``. A name part that had to be changed or shortened gets a short
hash of the original, so "East/West" and "East West" stay apart
(``East_West-1a2b3c``); a whole name is at most ``MAX_NAME_BYTES`` bytes of
UTF-8, whatever the script. Within one run no two decks get one file, even on
file systems that ignore case: each name is claimed once (:class:`Claims`),
and a name already claimed gets a hash of its workbook's path (and value).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

__all__ = ["MAX_NAME_BYTES", "safe_part", "deck_name", "split_names", "Claims"]

#: A deck's file name at most (255 is the usual limit; the temp file beside it adds its tag).
MAX_NAME_BYTES = 180
#: The workbook's part of a split deck's name at most, so the value keeps some room.
STEM_BYTES = 90
HASH_CHARS = 6
SUFFIX = ".pptx"
_FORBIDDEN = set('<>:"/\\|?*')


def _digest(*texts: str) -> str:
    data = "\0".join(texts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:HASH_CHARS]


def _fits(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, on a character boundary."""
    return text.encode("utf-8", "surrogatepass")[:max(0, limit)].decode("utf-8", "ignore")


def _clean(text: str) -> str:
    out, unsafe = [], False
    for ch in unicodedata.normalize("NFC", text):
        if ch in _FORBIDDEN or unicodedata.category(ch)[0] in "CZ":  # control, format, unassigned; spaces
            if not unsafe:
                out.append("_")
            unsafe = True
        else:
            out.append(ch)
            unsafe = False
    return "".join(out).strip("._ ")


def safe_part(text: str, limit: int, *, salt: str = "", force_hash: bool = False) -> str:
    """``text`` made safe for a file name in at most ``limit`` bytes; a hash of it (and ``salt``) appended when
    it had to change, or with ``force_hash``."""
    clean = _clean(str(text))
    if not force_hash and clean == text and len(clean.encode("utf-8")) <= limit:
        return clean
    tag = _digest(str(text), salt)
    keep = _fits(clean, limit - len(tag) - 1).rstrip("._ ")
    return f"{keep}-{tag}" if keep else tag


def deck_name(stem: str, value: str | None = None, *, salt: str = "", force_hash: bool = False) -> str:
    """``<stem>.pptx`` or ``<stem>-<value>.pptx``, each part made safe, the whole within MAX_NAME_BYTES."""
    room = MAX_NAME_BYTES - len(SUFFIX)
    if value is None:
        return safe_part(stem, room, salt=salt, force_hash=force_hash) + SUFFIX
    head = safe_part(stem, STEM_BYTES)
    tail = safe_part(value, room - len(head.encode("utf-8")) - 1, salt=salt, force_hash=force_hash)
    return f"{head}-{tail}{SUFFIX}"


def _key(name: str) -> str:
    """What two names share when a file system ignores case and Unicode normalization (macOS, Windows)."""
    return unicodedata.normalize("NFC", name).casefold()


def split_names(stem: str, values: list[str]) -> dict[str, str]:
    """Each split value's deck name, unique within the workbook (values that would share one get hashes)."""
    plain = {value: deck_name(stem, value) for value in values}
    count: dict[str, int] = {}
    for name in plain.values():
        count[_key(name)] = count.get(_key(name), 0) + 1
    names: dict[str, str] = {}
    used: set[str] = set()
    for value in values:
        name = plain[value] if count[_key(plain[value])] == 1 else deck_name(stem, value, force_hash=True)
        number = 1
        while _key(name) in used:  # a value spelled like another's hashed name: numbered
            number += 1
            name = deck_name(stem, value, salt=str(number), force_hash=True)
        used.add(_key(name))
        names[value] = name
    return names


class Claims:
    """The deck names taken in one batch run, shared by its processes through a folder (one file per name)."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def claim(self, name: str) -> bool:
        """Take ``name``; False when another deck of this run has it (in any case or normalization)."""
        marker = self.folder / hashlib.sha256(_key(name).encode("utf-8", "surrogatepass")).hexdigest()[:40]
        try:
            os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            return False
        return True

    def take(self, name: str, owner: str) -> str:
        """``name`` if free, else the same name with a hash of ``owner`` (the workbook's path and value)."""
        if self.claim(name):
            return name
        stem, _, _ = name.rpartition(SUFFIX)
        for number in range(1, 1000):
            salted = f"{_fits(stem, MAX_NAME_BYTES - len(SUFFIX) - HASH_CHARS - 1)}-{_digest(owner, str(number))}"
            if self.claim(salted + SUFFIX):
                return salted + SUFFIX
        raise RuntimeError(f"no free deck name for {name}")  # pragma: no cover - 999 hash collisions
