"""MS-OVBA 2.4.1 compression: the exact algorithm of the specification, made fast with hash chains.

A compressed container is a signature byte (1) followed by chunks; each chunk
holds up to 4096 bytes of input as a flag byte per eight tokens, where a
token is a literal byte or a two-byte copy token (offset, length) that refers
back into the same chunk. ``compress`` follows the specification's pseudocode
(the longest earlier match in the chunk, the nearest among equally long ones,
capped at the token's maximum length) and reproduces its examples (3.2) byte
for byte. Office's own compressor makes other, equally valid choices; every
reader (Office, LibreOffice, oletools) decompresses either.
"""

from __future__ import annotations

import struct

from salesdeck.errors import OutputError

CHUNK = 4096
_SIGNATURE = 1
_MIN_MATCH = 3
_HEADER_SIGNATURE = 0b011 << 12


class CompressionError(OutputError):
    """A compressed VBA stream that does not follow MS-OVBA 2.4.1."""


def _bit_count(difference: int) -> int:
    """Bits of a copy token used for the offset: ceil(log2(difference)), at least 4 (2.4.1.3.19.1)."""
    return max(4, (difference - 1).bit_length())


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA compressed container (2.4.1.3.1)."""
    if not data or data[0] != _SIGNATURE:
        raise CompressionError("not an MS-OVBA compressed container (first byte is not 1)")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise CompressionError(f"truncated chunk header at byte {pos}")
        (header,) = struct.unpack_from("<H", data, pos)
        if header & 0x7000 != _HEADER_SIGNATURE:
            raise CompressionError(f"bad chunk signature at byte {pos}")
        end = min(len(data), pos + (header & 0x0FFF) + 3)
        pos += 2
        start = len(out)
        if not header & 0x8000:  # a raw chunk: 4096 bytes as they are
            out += data[pos:pos + CHUNK]
            pos += CHUNK
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                if pos + 2 > end:
                    raise CompressionError(f"truncated copy token at byte {pos}")
                (token,) = struct.unpack_from("<H", data, pos)
                pos += 2
                bits = _bit_count(len(out) - start)
                offset = (token >> (16 - bits)) + 1
                length = (token & (0xFFFF >> bits)) + 3
                source = len(out) - offset
                if source < start:
                    raise CompressionError(f"copy token at byte {pos - 2} points before its chunk")
                for i in range(length):  # may overlap what it writes
                    out.append(out[source + i])
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA compressed container (2.4.1.3.6)."""
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK):
        out += _chunk(data, start, min(start + CHUNK, len(data)))
    return bytes(out)


def _chunk(data: bytes, start: int, end: int) -> bytes:
    """One compressed chunk (header + tokens), or a raw chunk when tokens would not fit in 4096 bytes."""
    body = bytearray()
    chains: dict[bytes, list[int]] = {}
    indexed = start  # positions before this are in ``chains``
    pos = start
    while pos < end and len(body) < CHUNK:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end or len(body) >= CHUNK:
                break
            while indexed < pos:
                chains.setdefault(data[indexed:indexed + _MIN_MATCH], []).append(indexed)
                indexed += 1
            offset, length = _longest_match(data, start, pos, end, chains)
            if offset:
                if len(body) + 1 >= CHUNK:
                    body += b"\0" * (CHUNK - len(body))  # the spec's CompressedCurrent = CompressedEnd
                    break
                bits = _bit_count(pos - start)
                body += struct.pack("<H", ((offset - 1) << (16 - bits)) | (length - 3))
                flags |= 1 << bit
                pos += length
            else:
                body.append(data[pos])
                pos += 1
        body[flag_at] = flags
    if pos < end:  # did not fit: a raw chunk, padded to 4096 bytes
        raw = data[start:end] + b"\0" * (CHUNK - (end - start))
        return struct.pack("<H", _HEADER_SIGNATURE | (CHUNK + 2 - 3)) + raw
    return struct.pack("<H", 0x8000 | _HEADER_SIGNATURE | (len(body) + 2 - 3)) + bytes(body)


def _longest_match(data: bytes, start: int, pos: int, end: int, chains: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the spec's match at ``pos``, or (0, 0): the longest earlier match in the chunk,
    the nearest among equally long ones, then capped at the copy token's maximum length."""
    if end - pos < _MIN_MATCH:
        return 0, 0
    candidates = chains.get(data[pos:pos + _MIN_MATCH])
    if not candidates:
        return 0, 0
    best_length, best = 0, -1
    room = end - pos
    for candidate in reversed(candidates):  # nearest first; a farther one must be strictly longer
        length = _common_prefix(data, candidate, pos, room)
        if length > best_length:
            best_length, best = length, candidate
            if length == room:
                break
    maximum = (0xFFFF >> _bit_count(pos - start)) + 3
    return pos - best, min(best_length, maximum)


def _common_prefix(data: bytes, a: int, b: int, limit: int) -> int:
    """How many bytes from ``a`` equal those from ``b`` (at most ``limit``; the ranges may overlap)."""
    if data[a:a + limit] == data[b:b + limit]:
        return limit
    low, high = _MIN_MATCH, limit  # data[a:a+low] matches (same chain key); data[a:a+high] does not
    while high - low > 1:
        mid = (low + high) // 2
        if data[a:a + mid] == data[b:b + mid]:
            low = mid
        else:
            high = mid
    return low
