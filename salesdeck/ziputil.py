"""Deterministic zip packages: same content in, same bytes out."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def normalize_zip(path: str | os.PathLike) -> None:
    """Rewrite an OOXML package in place with fixed timestamps and order kept.

    Office writers stamp every zip member with the current time; fixing it
    makes two runs over the same input byte-identical (diffable, cacheable).
    ``[Content_Types].xml`` stays first, as Office expects.
    """
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".norm")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    os.replace(tmp, path)
