"""A VBA project (``vbaProject.bin``): its modules' sources, and adding or replacing modules.

Office keeps two forms of each module: compiled p-code (a cache tied to the
Office version that saved it) and the compressed source at the module's
``MODULEOFFSET``. When the ``_VBA_PROJECT`` stream's version is 0xFFFF,
MS-OVBA 1.6 and 2.3.4.1 say every cache is ignored and the project is
compiled from source when opened; LibreOffice writes VBA projects that way
and xlwings ships its add-in template that way (its own module is source
only). ``VbaProject`` keeps that version, and writes new or changed modules
as source only (offset 0), leaving every other stream as it was.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

import olefile

from salesdeck.errors import OutputError
from salesdeck.ooxml.vba.compound import write_compound
from salesdeck.ooxml.vba.compression import compress, decompress

# dir stream record ids (MS-OVBA 2.3.4.2)
_CODEPAGE, _VERSION, _MODULES, _COOKIE, _TERMINATOR = 0x0003, 0x0009, 0x000F, 0x0013, 0x0010
_REFERENCE_NAME, _REFERENCE_CONTROL = 0x0016, 0x002F
_MODULE_NAME, _MODULE_STREAM, _MODULE_OFFSET, _MODULE_END = 0x0019, 0x001A, 0x0031, 0x002B
_STANDARD, _CLASS = 0x0021, 0x0022
#: The interoperable ``_VBA_PROJECT`` stream: version 0xFFFF, no performance cache (as in MS-OVBA 3.1.1).
VBA_PROJECT_NO_CACHE = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)


@dataclass
class Record:
    id: int
    data: bytes

    def to_bytes(self) -> bytes:
        if self.id == _VERSION:  # PROJECTVERSION: a 4-byte reserved field where the size would be
            return struct.pack("<HI", self.id, 4) + self.data
        return struct.pack("<HI", self.id, len(self.data)) + self.data


@dataclass
class Module:
    """One entry of the dir stream's module list."""

    name: str
    stream: str
    offset: int
    kind: str  # "standard" or "class" (document modules are classes)
    records: list[Record]


def parse_dir(data: bytes) -> list[Record]:
    """The decompressed dir stream as its records, in order."""
    records, pos = [], 0
    while pos < len(data):
        if pos + 6 > len(data):
            raise OutputError(f"VBA dir stream: truncated record at byte {pos}")
        rid, size = struct.unpack_from("<HI", data, pos)
        if rid == _VERSION:
            size = 6
        records.append(Record(rid, data[pos + 6:pos + 6 + size]))
        pos += 6 + size
        if rid == _TERMINATOR:
            break
    return records


class VbaProject:
    """The streams of a ``vbaProject.bin``, with the module list of its dir stream."""

    def __init__(self, streams: dict[str, bytes], clsids: dict[str, bytes]):
        self.streams = streams
        self.clsids = clsids
        self.records = parse_dir(decompress(streams["VBA/dir"]))
        self.codepage = f"cp{struct.unpack('<H', self._first(_CODEPAGE).data)[0]}"

    @classmethod
    def read(cls, data: bytes) -> "VbaProject":
        try:
            ole = olefile.OleFileIO(io.BytesIO(data))
        except OSError as exc:
            raise OutputError(f"not a VBA project (compound file): {exc}") from exc
        with ole:
            streams = {"/".join(p): ole.openstream(p).read() for p in ole.listdir(streams=True, storages=False)}
            clsids = {"/".join(p): bytes.fromhex(ole.getclsid(p).replace("-", "") or "0" * 32)
                      for p in ole.listdir(streams=False, storages=True)}
            clsids[""] = bytes.fromhex(ole.root.clsid.replace("-", "") or "0" * 32)
        if "VBA/dir" not in streams or "PROJECT" not in streams:
            raise OutputError("not a VBA project: no VBA/dir or PROJECT stream")
        return cls(streams, clsids)

    # ------------------------------------------------------------ reading
    def _first(self, rid: int) -> Record:
        return next(r for r in self.records if r.id == rid)

    def _text(self, data: bytes) -> str:
        return data.decode(self.codepage)

    def modules(self) -> list[Module]:
        start = next(i for i, r in enumerate(self.records) if r.id == _MODULES) + 2  # count, then PROJECTCOOKIE
        found, current = [], []
        for record in self.records[start:]:
            if record.id == _TERMINATOR:
                break
            current.append(record)
            if record.id == _MODULE_END:
                fields = {r.id: r.data for r in current}
                found.append(Module(self._text(fields[_MODULE_NAME]), self._text(fields[_MODULE_STREAM]),
                                    struct.unpack("<I", fields[_MODULE_OFFSET])[0],
                                    "standard" if _STANDARD in fields else "class", current))
                current = []
        return found

    def source(self, name: str) -> str:
        """A module's source text as stored (CRLF or LF line ends, attribute lines included)."""
        module = next((m for m in self.modules() if m.name == name), None)
        if module is None:
            raise KeyError(name)
        return self._text(decompress(self.streams[f"VBA/{module.stream}"][module.offset:]))

    def references(self) -> list[str]:
        """Names of the project's references (type libraries), in order."""
        return [self._text(group[0].data) for group in self._reference_groups()[1]]

    def _reference_groups(self) -> tuple[int, list[list[Record]], int]:
        """(index of the first reference record, the references' records, index after them)."""
        first = next(i for i, r in enumerate(self.records) if r.id == _REFERENCE_NAME)
        end = next(i for i, r in enumerate(self.records) if r.id == _MODULES)
        groups: list[list[Record]] = []
        for i in range(first, end):
            record = self.records[i]
            # a REFERENCENAME starts a reference, except the one inside a REFERENCECONTROL
            if record.id == _REFERENCE_NAME and self.records[i - 1].id != _REFERENCE_CONTROL:
                groups.append([])
            groups[-1].append(record)
        return first, groups, end

    # ------------------------------------------------------------ changing
    def drop_reference(self, name: str) -> None:
        """Remove the reference called ``name`` (e.g. an unused type library whose path names a user folder)."""
        first, groups, end = self._reference_groups()
        kept = [g for g in groups if self._text(g[0].data) != name]
        if len(kept) == len(groups):
            raise KeyError(name)
        self.records[first:end] = [r for g in kept for r in g]

    def set_module(self, name: str, source: str, kind: str = "standard") -> None:
        """Add module ``name`` (standard or class), or replace an existing module's source.

        ``source`` is the module's text with its ``Attribute VB_Name`` line
        first, in the project's code page; it is stored without p-code.
        """
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", name):
            raise OutputError(f"{name!r} is not a VBA module name")
        if not source.startswith(f'Attribute VB_Name = "{name}"'):
            raise OutputError(f"module {name}: its source must start with Attribute VB_Name = \"{name}\"")
        try:
            code = source.encode(self.codepage)
        except UnicodeEncodeError as exc:
            raise OutputError(f"module {name}: {exc.object[exc.start:exc.end]!r} is not in code page "
                              f"{self.codepage}") from None
        existing = next((m for m in self.modules() if m.name == name), None)
        if existing is not None:
            for record in existing.records:
                if record.id == _MODULE_OFFSET:
                    record.data = struct.pack("<I", 0)
            self.streams[f"VBA/{existing.stream}"] = compress(code)
            return
        self.streams[f"VBA/{name}"] = compress(code)
        self._add_module_records(name, kind)
        self._add_to_project_stream(name, kind)
        self._add_to_name_map(name)

    def _add_module_records(self, name: str, kind: str) -> None:
        mbcs, utf16 = name.encode(self.codepage), name.encode("utf-16-le")
        new = [
            Record(_MODULE_NAME, mbcs), Record(0x0047, utf16),
            Record(_MODULE_STREAM, mbcs), Record(0x0032, utf16),
            Record(0x001C, b""), Record(0x0048, b""),
            Record(_MODULE_OFFSET, struct.pack("<I", 0)),
            Record(0x001E, struct.pack("<I", 0)),
            Record(0x002C, struct.pack("<H", 0xFFFF)),
            Record(_STANDARD if kind == "standard" else _CLASS, b""),
            Record(_MODULE_END, b""),
        ]
        count = self._first(_MODULES)
        count.data = struct.pack("<H", struct.unpack("<H", count.data)[0] + 1)
        end = next(i for i, r in enumerate(self.records) if r.id == _TERMINATOR)
        self.records[end:end] = new

    def _add_to_project_stream(self, name: str, kind: str) -> None:
        text = self._text(self.streams["PROJECT"])
        lines = text.split("\r\n")
        last = max(i for i, line in enumerate(lines) if re.match(r"(Module|Class|Document|BaseClass)=", line))
        lines.insert(last + 1, f"{'Module' if kind == 'standard' else 'Class'}={name}")
        self.streams["PROJECT"] = "\r\n".join(lines).encode(self.codepage)

    def _add_to_name_map(self, name: str) -> None:
        entry = name.encode(self.codepage) + b"\0" + name.encode("utf-16-le") + b"\0\0"
        names = self.streams.get("PROJECTwm", b"\0\0")
        self.streams["PROJECTwm"] = names[:-2] + entry + b"\0\0"

    # ------------------------------------------------------------ writing
    def to_bytes(self) -> bytes:
        """The project as a compound file, its performance cache switched off (version 0xFFFF)."""
        self.streams["VBA/_VBA_PROJECT"] = VBA_PROJECT_NO_CACHE
        self.streams = {k: v for k, v in self.streams.items() if not re.match(r"VBA/__SRP_\d+$", k)}
        self.streams["VBA/dir"] = compress(b"".join(r.to_bytes() for r in self.records))
        return write_compound(self.streams, self.clsids)
