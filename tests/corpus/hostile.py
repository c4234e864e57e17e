"""Files that are not (safe) workbooks: each must be refused quickly with exit 2."""

from __future__ import annotations

import random
import re
import struct
import zipfile
from pathlib import Path

SECRET = "TOP-SECRET-7f3a9c"


def empty(tmp: Path, valid: Path) -> Path:
    path = tmp / "empty.xlsx"
    path.write_bytes(b"")
    return path


def random_bytes(tmp: Path, valid: Path) -> Path:
    path = tmp / "random.xlsx"
    path.write_bytes(random.Random(7).randbytes(64 * 1024))
    return path


def truncated_zip(tmp: Path, valid: Path) -> Path:
    data = valid.read_bytes()
    path = tmp / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def csv_renamed(tmp: Path, valid: Path) -> Path:
    path = tmp / "orders.xlsx"
    path.write_text("订单号,日期,金额\nSO1,2026-10-05,12000\n", encoding="utf-8")
    return path


def zip_bomb_ratio(tmp: Path, valid: Path) -> Path:
    """60 MB of zeros in a ~60 KB zip (ratio ~1000:1)."""
    path = tmp / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(60):
                fh.write(chunk)
    return path


def zip_bomb_declared(tmp: Path, valid: Path) -> Path:
    """A valid workbook whose central directory claims a 4 GB sheet."""
    data = bytearray(valid.read_bytes())
    for match in re.finditer(rb"PK\x01\x02", bytes(data)):
        start = match.start()
        name_len = struct.unpack_from("<H", data, start + 28)[0]
        name = bytes(data[start + 46: start + 46 + name_len])
        if name.startswith(b"xl/worksheets/"):
            struct.pack_into("<I", data, start + 24, 0xFFFFFFF0)
            break
    path = tmp / "declared-bomb.xlsx"
    path.write_bytes(bytes(data))
    return path


def zip_bomb_understated(tmp: Path, valid: Path) -> Path:
    """A sheet of ~40 MB of rows whose headers claim 100 KB: the lie is only seen while inflating."""
    path = tmp / "understated-bomb.xlsx"
    row = b'<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>' * 10_000
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open(info.filename, "w") as fh:
                    fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                             b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                    for _ in range(80):
                        fh.write(row)
                    fh.write(b"</sheetData></worksheet>")
            else:
                dst.writestr(info, src.read(info))
    data = bytearray(path.read_bytes())
    for signature, size_at, name_len_at, name_at in ((rb"PK\x01\x02", 24, 28, 46), (rb"PK\x03\x04", 22, 26, 30)):
        for match in re.finditer(signature, bytes(data)):
            start = match.start()
            name_len = struct.unpack_from("<H", data, start + name_len_at)[0]
            if bytes(data[start + name_at: start + name_at + name_len]) == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<I", data, start + size_at, 100_000)
    path.write_bytes(bytes(data))
    return path


def xxe(tmp: Path, valid: Path) -> Path:
    """A workbook whose first sheet declares an external entity reading a local secret file."""
    secret = tmp / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    src = zipfile.ZipFile(valid)
    path = tmp / "xxe.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = re.sub(r"^<\?xml[^>]*\?>", "", text)
                text = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
                        f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>\n' + text)
                text = re.sub(r"<v>[^<]*</v>", "<v>0</v>", text, count=0)
                text = text.replace("<sheetData>", '<sheetData><row r="99"><c r="A99" t="inlineStr"><is><t>&xxe;</t></is></c></row>', 1)
                data = text.encode("utf-8")
            out.writestr(info, data)
    return path


def encrypted(tmp: Path, valid: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp / "encrypted.xlsx"
    with valid.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    return path


def word_zip(tmp: Path, valid: Path) -> Path:
    path = tmp / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    return path


def _rewrite(valid: Path, path: Path, change) -> Path:
    """A copy of ``valid`` with every part passed through ``change(name, data) -> data``."""
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, change(info.filename, src.read(info)))
    return path


def _orders_part(valid: Path) -> str:
    from salesdeck.ooxml.parts import sheet_parts

    with zipfile.ZipFile(valid) as zf:
        parts = sheet_parts(zf)
    return parts.get("订单") or parts.get("Orders") or next(iter(parts.values()))


def _with_cells(name: str, cells: bytes, *, before_rows: bool = False):
    """A builder adding ``cells`` (row XML) to the orders sheet, after its rows (or before them)."""
    def build(tmp: Path, valid: Path) -> Path:
        part = _orders_part(valid)

        def change(member: str, data: bytes) -> bytes:
            if member != part:
                return data
            if before_rows:
                return re.sub(rb"(<sheetData>)", lambda m: m.group(1) + cells, data, count=1)
            return data.replace(b"</sheetData>", cells + b"</sheetData>", 1)
        return _rewrite(valid, tmp / f"{name}.xlsx", change)
    build.__name__ = name
    return build


#: The 388 KB file of issue 15: one value in the last cell Excel has. calamine would lay out 17 billion cells.
far_cell = _with_cells("far-cell", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
#: Within the size bound but nearly empty: 1,048,576 rows x 26 columns for a few hundred filled cells.
sparse_far_cell = _with_cells("sparse-far-cell", b'<row r="1048576"><c r="Z1048576"><v>1</v></c></row>')
#: The far cell first, rows out of order: the last row is not the biggest.
far_cell_first = _with_cells("far-cell-first", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                             before_rows=True)
#: Written the way no common writer does: the reference after another attribute, in single quotes.
far_cell_odd_attributes = _with_cells("far-cell-odd", b"<row r='1048576'><c t='n' r='XFD1048576'><v>1</v></c></row>")
#: A cell tag with a namespace prefix (calamine goes by the local name).
far_cell_prefixed = _with_cells(
    "far-cell-prefixed", b'<row r="1048576"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                         b'r="XFD1048576"><x:v>1</x:v></x:c></row>')
#: No references at all: a row far down holding 16,384 cells placed one after the other.
far_cells_without_references = _with_cells("far-cells-no-ref", b'<row r="1048576">' + b"<c><v>1</v></c>" * 16_384 + b"</row>")


def ods_bomb(tmp: Path, valid: Path) -> Path:
    """An 800-byte .ods file whose one valued cell is repeated 90 times in each of 1,048,000 rows."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
               '<office:spreadsheet><table:table table:name="订单"><table:table-row table:number-rows-repeated="1048000">'
               '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="90">'
               "<text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
               "</office:document-content>")
    path = tmp / "bomb.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def malformed_styles(tmp: Path, valid: Path) -> Path:
    """A part every command parses (styles.xml) with a tag that is never closed."""
    return _rewrite(valid, tmp / "malformed-styles.xlsx",
                    lambda name, data: data.replace(b"</styleSheet>", b"<oops></styleSheet>") if name == "xl/styles.xml" else data)


def entity_in_workbook_part(tmp: Path, valid: Path) -> Path:
    """An internal entity declared in workbook.xml (billion laughs start like this)."""
    def change(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        return re.sub(rb"^(<\?xml[^>]*\?>)", rb'\1<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa">]>', data, count=1)
    return _rewrite(valid, tmp / "entity.xlsx", change)


#: name -> (builder, text the refusal must contain)
HOSTILE = {
    "empty file": (empty, "empty"),
    "random bytes": (random_bytes, "not a spreadsheet"),
    "truncated zip": (truncated_zip, "damaged or truncated"),
    "csv renamed .xlsx": (csv_renamed, "CSV"),
    "zip bomb (ratio)": (zip_bomb_ratio, "zip bomb"),
    "zip bomb (declared size)": (zip_bomb_declared, "zip bomb"),
    "zip bomb (size understated)": (zip_bomb_understated, "damaged or truncated"),
    "xml external entity": (xxe, "DOCTYPE"),
    "password-protected": (encrypted, "password-protected"),
    "word document in disguise": (word_zip, "not an Excel workbook"),
    "one cell at XFD1048576": (far_cell, "sheet '订单' reaches cell XFD1048576"),
    "far cell first, rows out of order": (far_cell_first, "XFD1048576"),
    "far cell, reference not first": (far_cell_odd_attributes, "XFD1048576"),
    "far cell with a namespace prefix": (far_cell_prefixed, "XFD1048576"),
    "far cells without references": (far_cells_without_references, "XFD1048576"),
    "sparse sheet, one far cell": (sparse_far_cell, "has a value at cell Z1048576, far from the rest"),
    ".ods cell repeated over a million rows": (ods_bomb, "sheet '订单' reaches cell CL1048000"),
    "malformed XML in styles.xml": (malformed_styles, "part xl/styles.xml is not well-formed XML"),
    "entity declared in workbook.xml": (entity_in_workbook_part, "declares a DOCTYPE/ENTITY"),
}


# ------------------------------------------------------------------ company templates (.pptx)
def _write_zip(path: Path, members: list[tuple[str, int, list[bytes], int, int]]) -> Path:
    """A zip written by hand from already-compressed members: (name, method, compressed chunks, CRC, size)."""
    central = []
    with path.open("wb") as out:
        for name, method, chunks, crc, size in members:
            raw_name, packed, offset = name.encode(), sum(map(len, chunks)), out.tell()
            out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, packed, size,
                                  len(raw_name), 0) + raw_name)
            for chunk in chunks:
                out.write(chunk)
            central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, packed,
                                       size, len(raw_name), 0, 0, 0, 0, 0o644 << 16, offset) + raw_name)
        start = out.tell()
        for entry in central:
            out.write(entry)
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start,
                              start, 0))
    return path


def template_bomb(tmp: Path, template: Path, gigabytes: float = 1.5) -> Path:
    """``template`` whose thumbnail inflates to ``gigabytes`` GB of zeros from about 1 KB per MB (the issue's
    1.5 MB file): the same deflate block, cut off by full flushes, repeated."""
    import zlib

    mib = int(gigabytes * 1024)
    zeros = bytes(1 << 20)
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = squeeze.compress(zeros) + squeeze.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    members = []
    with zipfile.ZipFile(template) as src:
        for info in src.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                members.append((info.filename, 8, [block] * mib + [b"\x03\x00"], crc, mib << 20))
                continue
            data = src.read(info)
            deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
            members.append((info.filename, 8, [deflate.compress(data) + deflate.flush()], zlib.crc32(data), len(data)))
    return _write_zip(tmp / "bomb-template.pptx", members)


def template_with_entity(tmp: Path, template: Path) -> Path:
    """A slide master that declares an entity and uses it (python-pptx's parser then fails deep inside)."""
    def change(name: str, data: bytes) -> bytes:
        if name != "ppt/slideMasters/slideMaster1.xml":
            return data
        data = re.sub(rb"^(<\?xml[^>]*\?>)", rb'\1\n<!DOCTYPE p:sldMaster [<!ENTITY x "boom">]>', data, count=1)
        return data.replace(b"<p:cSld>", b"<p:cSld>&x;", 1)
    return _rewrite(template, tmp / "entity-template.pptx", change)


def template_malformed(tmp: Path, template: Path) -> Path:
    """A slide layout cut off in the middle of a tag."""
    def change(name: str, data: bytes) -> bytes:
        return data[: len(data) // 2] if name == "ppt/slideLayouts/slideLayout1.xml" else data
    return _rewrite(template, tmp / "malformed-template.pptx", change)
