"""TrueType fonts for the PDFs drawn directly (publish/pdf.py): metrics, glyphs, embedding.

A `Font` reads a TrueType file once with fontTools and keeps, for every character of the Basic
Multilingual Plane, its glyph id and advance width in two numpy arrays, so the widths and the
glyph codes of a whole column of texts are computed at once. The glyphs a document uses are
remembered; `embed` writes the font into a pydyf PDF as a subset (glyph ids kept), with the
widths and a ToUnicode map (text can be searched and copied), as PDF/A requires.

The fonts are DejaVu Sans (the public list's CSS font), found through fontconfig or in the
usual folders, with Liberation Sans as a fallback; none found is an Italian UserError.
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydyf
from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont

from conciliare_cli.errors import UserError

BMP = 0x10000
# Tables a PDF viewer never reads (shaping, kerning, colour glyphs): dropped from subsets.
DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "SVG ", "SVG")
STYLES = ("regular", "bold", "italic")

# (fontconfig pattern, file names) per style, in order of preference
CANDIDATES: dict[str, list[tuple[str, str]]] = {
    "regular": [
        ("DejaVu Sans:style=Book", "DejaVuSans.ttf"),
        ("Liberation Sans:style=Regular", "LiberationSans-Regular.ttf"),
    ],
    "bold": [
        ("DejaVu Sans:style=Bold", "DejaVuSans-Bold.ttf"),
        ("Liberation Sans:style=Bold", "LiberationSans-Bold.ttf"),
    ],
    "italic": [
        ("DejaVu Sans:style=Oblique", "DejaVuSans-Oblique.ttf"),
        ("Liberation Sans:style=Italic", "LiberationSans-Italic.ttf"),
    ],
}
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path("/usr/share/fonts/truetype"),
    Path.home() / ".local/share/fonts",
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)


def find_font(style: str) -> Path:
    """The font file of `style` (regular, bold, italic)."""
    for pattern, filename in CANDIDATES[style]:
        path = _fc_match(pattern, filename) or _search(filename)
        if path is not None:
            return path
    raise UserError(
        "impossibile creare il PDF: manca il carattere DejaVu Sans (o Liberation Sans)",
        hint="su Debian/Ubuntu: apt-get install fonts-dejavu-core",
    )


def _fc_match(pattern: str, filename: str) -> Path | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(out) if out else None
    if path is not None and path.name == filename and path.is_file():
        return path
    return None


def _search(filename: str) -> Path | None:
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob(filename)):
                if path.is_file():
                    return path
    return None


@dataclass
class Font:
    """One TrueType font: per-character glyph ids and advances, and the glyphs used so far."""

    path: Path
    data: bytes
    units_per_em: int
    ascent: float  # in em
    descent: float  # in em, positive
    glyph: np.ndarray  # uint16 glyph id per BMP code point (0 = .notdef)
    advance: np.ndarray  # float64 advance per BMP code point, in em
    glyph_advance: dict[int, float]  # advance per glyph id, in em
    italic_angle: float
    flags: int
    family: str
    used: dict[int, int] = field(default_factory=dict)  # glyph id -> first code point

    @property
    def line_height(self) -> float:
        """CSS 'line-height: normal' in em (ascent + descent of the hhea table)."""
        return self.ascent + self.descent

    def width(self, text: str) -> float:
        """Width of `text` in em."""
        return float(self.widths([text])[0])

    def widths(self, texts: list[str]) -> np.ndarray:
        """Width of each text in em, computed for all at once."""
        codes, starts, lengths = _code_points(texts)
        if not len(codes):
            return np.zeros(len(texts))
        per_char = self.advance[codes]
        totals = np.add.reduceat(per_char, np.minimum(starts, len(codes) - 1))
        return np.where(lengths > 0, totals, 0.0)

    def encode(self, texts: list[str]) -> list[str]:
        """Each text as the hex string of its glyph ids (Identity-H encoding); the glyphs are
        recorded for the subset and the ToUnicode map."""
        codes, starts, lengths = _code_points(texts)
        if not len(codes):
            return ["" for _ in texts]
        gids = self.glyph[codes]
        self._record(gids, codes)
        hexed = gids.astype(">u2").tobytes().hex()
        return [
            hexed[4 * s : 4 * (s + n)]
            for s, n in zip(starts.tolist(), lengths.tolist(), strict=True)
        ]

    def _record(self, gids: np.ndarray, codes: np.ndarray) -> None:
        unique, first = np.unique(gids, return_index=True)
        for g, c in zip(unique.tolist(), codes[first].tolist(), strict=True):
            self.used.setdefault(g, c)

    def embed(self, pdf: pydyf.PDF, compress: bool = True) -> pydyf.Dictionary:
        """Add the subset font to `pdf`; returns its (Type0) font dictionary."""
        used = dict(sorted(self.used.items()))
        used.setdefault(0, 0)
        program = self._subset(list(used))
        tag = _subset_tag(self.path.name, list(used))
        base = "/" + tag + "+" + self.family.replace(" ", "")
        file_stream = pydyf.Stream([program], {"Length1": len(program)}, compress=compress)
        pdf.add_object(file_stream)
        scale = 1000.0
        widths = {g: round(self.glyph_advance.get(g, 0.0) * scale, 3) for g in used}
        bbox = pydyf.Array(
            [0, round(-self.descent * scale), max(widths.values()), round(self.ascent * scale)]
        )
        descriptor = pydyf.Dictionary(
            {
                "Type": "/FontDescriptor",
                "FontName": base,
                "FontFamily": pydyf.String(self.family),
                "Flags": self.flags,
                "FontBBox": bbox,
                "ItalicAngle": self.italic_angle,
                "Ascent": round(self.ascent * scale),
                "Descent": round(-self.descent * scale),
                "CapHeight": round(self.ascent * scale),
                "StemV": 80,
                "StemH": 80,
                "FontFile2": file_stream.reference,
            }
        )
        pdf.add_object(descriptor)
        w_array = pydyf.Array()
        run: pydyf.Array | None = None
        previous = None
        for g in used:
            if previous is None or g != previous + 1:
                run = pydyf.Array()
                w_array.extend([g, run])
            assert run is not None
            run.append(widths[g])
            previous = g
        cid_font = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/CIDFontType2",
                "BaseFont": base,
                "CIDSystemInfo": pydyf.Dictionary(
                    {
                        "Registry": pydyf.String("Adobe"),
                        "Ordering": pydyf.String("Identity"),
                        "Supplement": 0,
                    }
                ),
                "CIDToGIDMap": "/Identity",
                "W": w_array,
                "FontDescriptor": descriptor.reference,
            }
        )
        pdf.add_object(cid_font)
        to_unicode = pydyf.Stream(_to_unicode_cmap(used), compress=compress)
        pdf.add_object(to_unicode)
        font = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/Type0",
                "BaseFont": base,
                "Encoding": "/Identity-H",
                "DescendantFonts": pydyf.Array([cid_font.reference]),
                "ToUnicode": to_unicode.reference,
            }
        )
        pdf.add_object(font)
        return font

    def _subset(self, gids: list[int]) -> bytes:
        options = ft_subset.Options(
            retain_gids=True,
            passthrough_tables=True,
            ignore_missing_glyphs=True,
            hinting=False,
            desubroutinize=True,
            notdef_outline=True,
        )
        options.drop_tables += list(DROPPED_TABLES)
        subsetter = ft_subset.Subsetter(options)
        subsetter.populate(gids=gids)
        tt = TTFont(io.BytesIO(self.data), recalcTimestamp=False, recalcBBoxes=False)
        for tag in DROPPED_TABLES:  # before subsetting: pruning them is most of its time
            if tag in tt:
                del tt[tag]
        subsetter.subset(tt)
        out = io.BytesIO()
        tt.save(out)
        return out.getvalue()


def _code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All texts' code points in one array (outside the BMP: 0, the missing glyph), with each
    text's start and length."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    codes[codes >= BMP] = 0
    return codes, starts, lengths


def _subset_tag(name: str, gids: list[int]) -> str:
    """Six capital letters naming a subset (PDF convention), from its glyphs: reproducible."""
    digest = hashlib.sha256((name + ":" + ",".join(map(str, gids))).encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _to_unicode_cmap(used: dict[int, int]) -> list[bytes]:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = [(g, c) for g, c in used.items() if c > 0]
    for i in range(0, len(items), 100):
        batch = items[i : i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for g, c in batch:
            lines.append(f"<{g:04x}> <{chr(c).encode('utf-16-be').hex()}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return lines


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> tuple:
    data = path.read_bytes()
    tt = TTFont(io.BytesIO(data), lazy=True)
    upem = tt["head"].unitsPerEm
    hhea = tt["hhea"]
    hmtx = tt["hmtx"].metrics
    order = tt.getGlyphOrder()
    glyph_advance = {i: hmtx[name][0] / upem for i, name in enumerate(order)}
    glyph = np.zeros(BMP, dtype=np.uint16)
    advance = np.full(BMP, glyph_advance.get(0, 0.0), dtype=np.float64)
    for code, name in tt.getBestCmap().items():
        if code < BMP:
            gid = tt.getGlyphID(name)
            glyph[code] = gid
            advance[code] = glyph_advance[gid]
    post = tt["post"]
    family = str(tt["name"].getDebugName(1) or path.stem)
    italic = float(post.italicAngle)
    flags = 32 + (64 if italic else 0)  # nonsymbolic (+ italic)
    return (
        data,
        upem,
        hhea.ascent / upem,
        -hhea.descent / upem,
        glyph,
        advance,
        glyph_advance,
        italic,
        flags,
        family,
    )


def load_font(path: Path) -> Font:
    """A fresh Font (its own record of used glyphs) over the cached metrics of `path`."""
    data, upem, ascent, descent, glyph, advance, glyph_advance, italic, flags, family = _load(
        Path(path)
    )
    return Font(
        path=Path(path),
        data=data,
        units_per_em=upem,
        ascent=ascent,
        descent=descent,
        glyph=glyph,
        advance=advance,
        glyph_advance=glyph_advance,
        italic_angle=italic,
        flags=flags,
        family=family,
    )


def load_fonts() -> dict[str, Font]:
    """The regular, bold and italic fonts of the public list."""
    return {style: load_font(find_font(style)) for style in STYLES}
