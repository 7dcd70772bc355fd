"""Serialise a pydyf PDF quickly when it has very many small objects (a tagged list).

pydyf's own `PDF.write` puts every dictionary in one object stream and compresses it at zlib
level 9 three times (for the file, and twice more while hashing the identifier): with the
structure tree of a long list (one element per table cell) that took ten times as long as
drawing the pages. This writes the same layout — the streams as indirect objects, every other
object in one object stream, a cross-reference stream — compressing once, at level 6, and
hashing what it writes.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import BinaryIO

import numpy as np
import pydyf


class _Out:
    """The output and the position in it."""

    def __init__(self, output: BinaryIO):
        self.output = output
        self.position = 0

    def line(self, content: bytes) -> None:
        self.output.write(content + b"\n")
        self.position += len(content) + 1


def write_pdf(
    pdf: pydyf.PDF, output: BinaryIO, *, identifier: bytes, tail: list[bytes] | None = None
) -> None:
    """Write `pdf` (PDF 1.7) to `output`, with `identifier` (hexadecimal digits) as the
    first half of /ID; `tail` are more objects, already serialised, numbered from
    len(pdf.objects) (pdf.info must already be among the objects)."""
    tail = tail or []
    base = len(pdf.objects)
    out = _Out(output)
    out.line(b"%PDF-1.7")
    out.line(b"%\xf0\x9f\x96\xa4")
    digest = hashlib.md5(usedforsecurity=False)
    packed = []
    for obj in pdf.objects:
        if obj.free == "f":
            continue
        if obj.compressible:
            packed.append(obj)
        else:
            obj.offset = out.position
            data = obj.indirect
            digest.update(data)
            out.line(data)
    datas = [obj.data for obj in packed] + tail
    numbers = [obj.number for obj in packed] + list(range(base, base + len(tail)))
    lengths = np.fromiter((len(d) + 1 for d in datas), dtype=np.int64, count=len(datas))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).tolist()
    head = " ".join(f"{n} {start}" for n, start in zip(numbers, starts, strict=True))
    body = zlib.compress(head.encode() + b"\n" + b"\n".join(datas), 6)
    digest.update(body)
    stream_number = base + len(tail)
    stream_offset = out.position
    out.line(
        f"{stream_number} 0 obj\n<</Type /ObjStm /N {len(datas)} /First {len(head) + 1} "
        f"/Filter /FlateDecode /Length {len(body)}>>\nstream".encode()
        + b"\n"
        + body
        + b"\nendstream\nendobj"
    )
    in_stream = {n: i for i, n in enumerate(numbers)}
    rows = []
    for obj in pdf.objects:
        if obj.free == "f":
            rows.append((0, 0, obj.generation))
        elif obj.number in in_stream:
            rows.append((2, stream_number, in_stream[obj.number]))
        else:
            rows.append((1, obj.offset, obj.generation))
    rows += [(2, stream_number, in_stream[n]) for n in range(base, stream_number)]
    rows.append((1, stream_offset, 0))  # the object stream
    _write_xref(pdf, out, rows, identifier, digest.hexdigest())


def _write_xref(
    pdf: pydyf.PDF, out: _Out, rows: list[tuple[int, int, int]], identifier: bytes, digest: str
) -> None:
    """The cross-reference stream (type 1: at an offset; type 2: in the object stream), the
    trailer's entries in it, and the end of the file."""
    xref_number = len(rows)
    xref_offset = out.position
    rows = [*rows, (1, xref_offset, 0)]  # this stream
    table = np.array(rows, dtype=np.int64)
    widths = [1, _bytes_for(int(table[:, 1].max())), _bytes_for(int(table[:, 2].max()))]
    columns = [
        ((table[:, c : c + 1] >> (8 * np.arange(w - 1, -1, -1))) & 0xFF).astype(np.uint8)
        for c, w in enumerate(widths)
    ]
    data = zlib.compress(np.hstack(columns).tobytes(), 6)
    info = f" /Info {pdf.info.reference.decode()}" if pdf.info else ""
    ident = identifier.decode("ascii")
    out.line(
        f"{xref_number} 0 obj\n<</Type /XRef /Index [0 {len(rows)}] "
        f"/W [{' '.join(map(str, widths))}] /Size {len(rows)} "
        f"/Root {pdf.catalog.reference.decode()}{info} /ID [<{ident}> <{digest}>] "
        f"/Filter /FlateDecode /Length {len(data)}>>\nstream".encode()
        + b"\n"
        + data
        + b"\nendstream\nendobj"
    )
    out.line(b"startxref")
    out.line(str(xref_offset).encode())
    out.line(b"%%EOF")


def _bytes_for(value: int) -> int:
    return max(1, (int(value).bit_length() + 7) // 8)
