"""A small MS-CFB (compound file, "OLE") writer: version 3, 512-byte sectors, as Office writes VBA projects.

``olefile`` reads compound files but only rewrites streams in place at the
same size; adding VBA modules needs new streams. ``write_compound`` lays out a
whole file from a list of streams: small streams (< 4096 bytes) in the mini
stream, the rest in regular sectors, then the mini FAT, the directory and the
FAT. Each storage's children form a balanced red-black tree in the order
MS-CFB 2.6.4 prescribes (shorter names first, then by upper-case name). Up to
109 FAT sectors (about 7 MB), enough for any VBA project; larger is refused.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from salesdeck.errors import OutputError

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
_IDS_PER_SECTOR = SECTOR // 4
_HEADER_FAT_SLOTS = 109
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    clsid: bytes = bytes(16)
    children: dict[str, "_Entry"] = field(default_factory=dict)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN


def sort_key(name: str) -> tuple[int, str]:
    """MS-CFB's order of sibling names: by length, then by upper-case characters."""
    return len(name.encode("utf-16-le")) // 2, name.upper()


def write_compound(streams: dict[str, bytes], clsids: dict[str, bytes] | None = None) -> bytes:
    """The bytes of a compound file holding ``streams`` ("storage/stream" paths -> data).

    ``clsids`` gives storages (by path, "" for the root) a class id.
    """
    root = _tree(streams, clsids or {})
    entries = _number(root)
    mini = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != _STREAM or not entry.data:
            continue
        if len(entry.data) < MINI_CUTOFF:
            entry.start = len(mini_fat)
            count = -(-len(entry.data) // MINI_SECTOR)
            mini_fat += [len(mini_fat) + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
            mini += entry.data + bytes(count * MINI_SECTOR - len(entry.data))
        else:
            big.append(entry)
    root.data = bytes(mini)

    fat: list[int] = []
    body = bytearray()

    def place(data: bytes, marker: int | None = None) -> int:
        """Append ``data`` in whole sectors chained in the FAT; the first sector (ENDOFCHAIN if empty)."""
        if not data:
            return ENDOFCHAIN
        first = len(fat)
        count = -(-len(data) // SECTOR)
        for i in range(count):
            fat.append(marker if marker is not None else (first + i + 1 if i < count - 1 else ENDOFCHAIN))
        body.extend(data + bytes(count * SECTOR - len(data)))
        return first

    for entry in big:
        entry.start = place(entry.data)
    root.start = place(root.data)
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    mini_fat_bytes += struct.pack("<I", FREESECT) * (-len(mini_fat) % _IDS_PER_SECTOR)
    first_mini_fat = place(mini_fat_bytes)
    directory = b"".join(_entry_bytes(e) for e in entries)
    directory += _empty_entry() * (-len(entries) % (SECTOR // 128))
    first_directory = place(directory)

    fat_sectors = 0
    while fat_sectors * _IDS_PER_SECTOR < len(fat) + fat_sectors:
        fat_sectors += 1
    if fat_sectors > _HEADER_FAT_SLOTS:
        raise OutputError(f"VBA project too large for a compound file without DIFAT ({len(fat)} sectors)")
    first_fat = len(fat)
    fat += [FATSECT] * fat_sectors
    fat += [FREESECT] * (fat_sectors * _IDS_PER_SECTOR - len(fat))
    body += struct.pack(f"<{len(fat)}I", *fat)

    difat = list(range(first_fat, first_fat + fat_sectors)) + [FREESECT] * (_HEADER_FAT_SLOTS - fat_sectors)
    header = (_SIGNATURE + bytes(16)
              + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, fat_sectors, first_directory, 0, MINI_CUTOFF,
                            first_mini_fat if mini_fat else ENDOFCHAIN, len(mini_fat_bytes) // SECTOR if mini_fat else 0,
                            ENDOFCHAIN, 0)
              + struct.pack(f"<{_HEADER_FAT_SLOTS}I", *difat))
    return header + bytes(body)


def _tree(streams: dict[str, bytes], clsids: dict[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", _ROOT, clsid=clsids.get("", bytes(16)))
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for depth, part in enumerate(parts[:-1]):
            storage_path = "/".join(parts[:depth + 1])
            node = node.children.setdefault(part, _Entry(part, _STORAGE, clsid=clsids.get(storage_path, bytes(16))))
            if node.kind != _STORAGE:
                raise OutputError(f"{storage_path} is both a stream and a storage")
        if parts[-1] in node.children:
            raise OutputError(f"stream {path} given twice")
        node.children[parts[-1]] = _Entry(parts[-1], _STREAM, data=bytes(data))
    return root


def _number(root: _Entry) -> list[_Entry]:
    """Give every entry its directory index (root first, then breadth first) and link the sibling trees."""
    order = [root]
    queue = [root]
    while queue:
        node = queue.pop(0)
        kids = sorted(node.children.values(), key=lambda e: sort_key(e.name))
        for kid in kids:
            kid.sid = len(order)
            order.append(kid)
        node.child = _balanced(kids, 0, _depth(len(kids)))
        queue += kids
    return order


def _depth(count: int) -> int:
    """Depth of the deepest node of a size-balanced tree of ``count`` nodes (root at 0), -1 when empty."""
    return count.bit_length() - 1


def _balanced(kids: list[_Entry], depth: int, deepest: int) -> int:
    """Link ``kids`` (sorted) into a red-black tree and return the sid of its root.

    Taking the middle as root keeps every subtree's halves within one node of
    each other, so all empty links sit at two adjacent depths; colouring the
    deepest level red gives every path the same number of black nodes, and
    no red node has a red child (its children are empty).
    """
    if not kids:
        return NOSTREAM
    middle = len(kids) // 2
    node = kids[middle]
    node.left = _balanced(kids[:middle], depth + 1, deepest)
    node.right = _balanced(kids[middle + 1:], depth + 1, deepest)
    node.color = _RED if depth == deepest and depth > 0 else _BLACK
    return node.sid


def _entry_bytes(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le")
    if len(name) > 62:
        raise OutputError(f"compound file entry name {entry.name!r} is longer than 31 characters")
    size = len(entry.data)
    start = 0 if entry.kind == _STORAGE else entry.start if size else ENDOFCHAIN
    return (name + bytes(64 - len(name))
            + struct.pack("<HBBIII", len(name) + 2, entry.kind, entry.color, entry.left, entry.right, entry.child)
            + entry.clsid + struct.pack("<I", 0) + bytes(16)
            + struct.pack("<IQ", start, size))


def _empty_entry() -> bytes:
    return bytes(64) + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + bytes(16 + 4 + 16 + 4 + 8)
