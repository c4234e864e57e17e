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
}
