"""Make the hostile corpus: broken or hostile call folders, from copies of the example call.

    python tests/data/hostile/make_corpus.py OUT [CASE ...]

Writes OUT/<case>/ for every case (or the ones named): a copy of examples/conciliare-2017
(without esiti/) with one thing broken. Nothing is committed but this script: the corpus is
made at test time (tests/test_hostile_corpus.py) in a temporary folder, in a few seconds.

Each case says which class of issue 11 it belongs to: 'read' (the reader: values, limits,
markup, paths), 'config' (values and size of bando.yaml), 'outputs' (esiti written whole and
locked), 'verify' (a tampered manifest), 'csv' (formulas in graduatoria.csv): all handled; a case
still open would be 'part2', expected to fail with its reason until it is done (none today:
the template loop and `letters --ids` were fixed with the letters' rewrite on Typst). `before`
holds actions to run before a command (tampering with outputs between rank and verify),
`extra` extra commands after the four, and `check` a test on the folder after them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[2] / "examples" / "conciliare-2017"
ASST = "partner/ASST_domande_2017.xlsx"
ATS = "partner/ATS_richieste.xls"
COOP = "partner/coop_il_sorriso.csv"
COMUNE = "partner/comune_crema.ods"
CONFIG = "bando.yaml"


@dataclass
class Case:
    name: str
    part: str  # what it tests: 'read', 'config', 'outputs', 'verify', 'csv'; or 'part2'
    build: Callable[[Path], None]
    why: str = ""  # what the case tries; for part2, what is expected to fail and why
    before: dict[str, Callable[[Path], None]] = field(default_factory=dict)
    extra: list[list[str]] = field(default_factory=list)
    check: Callable[[Path], str | None] | None = None  # a problem found, or None
    concurrent_rank: bool = False
    partners: tuple[str, ...] = ("COOP",)  # kept in bando.yaml: a smaller, faster call
    timeout: float | None = None  # seconds per command, when shorter than the harness's


# ------------------------------------------------------------------ helpers


def csv_rows(folder: Path, rel: str = COOP) -> tuple[list[list[str]], str]:
    data = (folder / rel).read_bytes()
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8")
    delimiter = ";" if text.splitlines()[0].count(";") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter)), delimiter


def write_csv(folder: Path, rows: list[list[str]], delimiter: str, rel: str = COOP) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    (folder / rel).write_text(out.getvalue(), encoding="utf-8")


def set_csv(folder: Path, changes: dict[tuple[int, str], str], rel: str = COOP) -> None:
    """Set cells of the CSV: (data row index from 0, header) -> text."""
    rows, d = csv_rows(folder, rel)
    head = rows[0]
    for (i, h), value in changes.items():
        rows[1 + i][head.index(h)] = value
    write_csv(folder, rows, d, rel)


def sheet_member(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return next(n for n in zf.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n))


def rewrite_member(path: Path, member: str, edit: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of a zip (xlsx, ods) through `edit`."""
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, edit(data) if info.filename == member else data)


def xlsx_header(path: Path) -> tuple[int, dict[str, str]]:
    """The header row number of the ASST sheet and header -> column letters (openpyxl)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=1, max_row=30):
        texts = {str(c.value).strip(): c.column_letter for c in row if c.value is not None}
        if "Protocollo" in texts:
            wb.close()
            return row[0].row, texts
    raise AssertionError("no header")


def set_xlsx_cell(path: Path, ref: str, xml: str) -> None:
    """Replace the cell `ref` of the first sheet by the raw XML `xml` (a <c> element)."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)

    def edit(data: bytes) -> bytes:
        new, n = pattern.subn(xml.encode(), data, count=1)
        assert n == 1, ref
        return new

    rewrite_member(path, sheet_member(path), edit)


def asst_cell(folder: Path, header: str, data_row: int) -> str:
    row, cols = xlsx_header(folder / ASST)
    return f"{cols[header]}{row + 1 + data_row}"


def edit_config(folder: Path, old: str, new: str, count: int = 1) -> None:
    path = folder / CONFIG
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def only_partners(folder: Path, keep: tuple[str, ...]) -> None:
    """Keep only these partners in bando.yaml (a smaller, faster call). The example's
    corrections file names applications of every partner, so it goes too."""
    (folder / "correzioni.xlsx").unlink(missing_ok=True)
    text = (folder / CONFIG).read_text(encoding="utf-8")
    head, rest = text.split("\npartners:\n", 1)
    body, tail = rest.split("\neligibility:", 1)
    blocks = re.split(r"\n(?=  - id: )", "\n" + body)
    kept = [b for b in blocks if re.search(r"  - id: (\w+)", b) and b.split()[2] in keep]
    new = head + "\npartners:" + "".join("\n" + b.strip("\n") for b in kept) + "\n\neligibility:"
    (folder / CONFIG).write_text(new + tail, encoding="utf-8")


def ods(path: Path, rows_xml: str) -> None:
    """A minimal ODS with one sheet 'Foglio1' holding `rows_xml` (table:table-row elements)."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
        'office:version="1.2"><office:body><office:spreadsheet><table:table '
        f'table:name="Foglio1">{rows_xml}</table:table></office:spreadsheet></office:body>'
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)


def outside(folder: Path) -> Path:
    """A folder beside the call folder (outside it), for links that point out."""
    out = folder.parent / f"{folder.name}-fuori"
    out.mkdir(exist_ok=True)
    return out


# ------------------------------------------------------------------ read: values


def excel_errors(folder: Path) -> None:
    """ISEE #N/A and cost #DIV/0! as real error cells of the xlsx."""
    for header, i, text in (("ISEE", 0, "#N/A"), ("Costo richiesto (€)", 1, "#DIV/0!")):
        ref = asst_cell(folder, header, i)
        set_xlsx_cell(folder / ASST, ref, f'<c r="{ref}" t="e"><f>1/0</f><v>{text}</v></c>')


def xls_errors(folder: Path) -> None:
    """The first ISEE of the .xls a typed #N/A (a BOOLERR record) and the first cost a
    formula whose saved result is #DIV/0! (a FORMULA record), as Excel writes them: the
    sheet's records rewritten and saved in a new compound file (xlwt's writer)."""

    from xlwt.CompoundDoc import XlsDoc

    from conciliare_cli.read.xls_errors import records, sheet_offset, workbook_stream

    path = folder / ATS
    stream = workbook_stream(path.read_bytes())
    start = sheet_offset(stream, "Richieste")  # the last sheet: no sheet offset moves
    assert start is not None
    new = {
        (1, 7): lambda xf: (0x0205, struct.pack("<HHHBB", 1, 7, xf, 0x2A, 1)),
        (1, 18): lambda xf: (
            0x0006,
            struct.pack("<HHH", 1, 18, xf)
            + bytes([2, 0, 0x07, 0, 0, 0, 0xFF, 0xFF])
            + struct.pack("<HIH", 0, 0, 7)
            + bytes([0x1E, 1, 0, 0x1E, 0, 0, 0x06]),  # =1/0
        ),
    }
    out = bytearray(stream[:start])
    done = 0
    for kind, body in records(stream, start):
        at = struct.unpack_from("<HH", body) if kind in (0x027E, 0x0203) else None
        if at in new:
            kind, body = new[at](struct.unpack_from("<H", body, 4)[0])
            done += 1
        out += struct.pack("<HH", kind, len(body)) + body
    assert done == 2, done
    XlsDoc().save(str(path), bytes(out))


def _biff12(kind: int, body: bytes = b"") -> bytes:
    """One BIFF12 record: its type and size as 7-bit varints, then its body."""
    out = bytearray()
    for number in (kind, len(body)):
        while True:
            low, number = number & 0x7F, number >> 7
            out.append(low | (0x80 if number else 0))
            if not number:
                break
    return bytes(out) + body


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def write_xlsb(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    """A minimal .xlsb (no writer of the format is at hand): per cell a text (BrtCellSt), a
    number (BrtCellReal), an error ('#', code: BrtCellError) or, for ('=', code), a formula
    =1/0 saved with that error (BrtFmlaError). python-calamine reads it as Excel would."""
    book = _biff12(0x83) + _biff12(0x8F)
    rels = []
    for i, name in enumerate(sheets, 1):
        book += _biff12(0x9C, struct.pack("<II", 0, i) + _wide(f"rId{i}") + _wide(name))
        rels.append(
            f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.bin" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        )
    book += _biff12(0x90) + _biff12(0x84)
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.bin", book)
        zf.writestr(
            "xl/_rels/workbook.bin.rels",
            f'<Relationships xmlns="{ns}">{"".join(rels)}</Relationships>',
        )
        for i, rows in enumerate(sheets.values(), 1):
            width = max(len(r) for r in rows)
            dim = struct.pack("<IIII", 0, len(rows) - 1, 0, width - 1)
            part = bytearray(_biff12(0x81) + _biff12(0x94, dim) + _biff12(0x91))
            for r, row in enumerate(rows):
                part += _biff12(0x00, struct.pack("<IIHBBBBI", r, 0, 0, 0, 0, 0, 0, 0))
                for c, v in enumerate(row):
                    head = struct.pack("<II", c, 0)
                    if isinstance(v, tuple) and v[0] == "#":
                        part += _biff12(0x03, head + bytes([v[1]]))
                    elif isinstance(v, tuple):
                        formula = struct.pack("<I", 7) + bytes([0x1E, 1, 0, 0x1E, 0, 0, 0x06])
                        body = head + bytes([v[1]]) + b"\x00\x00" + formula + struct.pack("<I", 0)
                        part += _biff12(0x0B, body)
                    elif isinstance(v, str):
                        part += _biff12(0x06, head + _wide(v))
                    elif v is not None:
                        part += _biff12(0x05, head + struct.pack("<d", float(v)))
            zf.writestr(f"xl/worksheets/sheet{i}.bin", bytes(part + _biff12(0x92) + _biff12(0x82)))


def xlsb_errors(folder: Path) -> None:
    """The COOP partner's CSV as an .xlsb whose first ISEE is a typed #N/A and first cost a
    formula saved as #DIV/0!."""
    rows, _ = csv_rows(folder)
    head = rows[0]
    cells: list[list[object]] = [list(head)] + [list(r) for r in rows[1:]]
    cells[1][head.index("ISEE")] = ("#", 0x2A)
    cells[1][head.index("Costo")] = ("=", 0x07)
    write_xlsb(folder / "partner" / "coop_il_sorriso.xlsb", {"Domande": cells})
    (folder / COOP).unlink()
    edit_config(
        folder, 'files: "partner/coop_il_sorriso.csv"', 'files: "partner/coop_il_sorriso.xlsb"'
    )


def error_texts(folder: Path) -> None:
    """The same errors as text in a CSV (as Excel writes them when saving as CSV)."""
    set_csv(folder, {(0, "ISEE"): "#N/A", (1, "Costo"): "#DIV/0!", (2, "ISEE"): "#N/D"})


def nan_number(folder: Path) -> None:
    """Numeric cells holding NaN and inf (no spreadsheet writes them; a program can)."""
    for i, text in ((2, "NaN"), (3, "inf")):
        ref = asst_cell(folder, "ISEE", i)
        set_xlsx_cell(folder / ASST, ref, f'<c r="{ref}" t="n"><v>{text}</v></c>')


def ods_error_cell(folder: Path) -> None:
    """The first ISEE of the ODS as LibreOffice writes a failed formula (#DIV/0!)."""
    calc = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
    old = (
        b'<table:table-cell office:value-type="float" office:value="15265.27">'
        b"<text:p>15265.27</text:p></table:table-cell>"
    )
    new = (
        b'<table:table-cell table:formula="of:=1/0" office:value-type="string" '
        b'office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p>'
        b"</table:table-cell>"
    )

    def edit(data: bytes) -> bytes:
        assert old in data
        data = data.replace(old, new, 1)
        if b"xmlns:calcext=" not in data:
            data = data.replace(
                b"<office:document-content ",
                b'<office:document-content xmlns:calcext="' + calc.encode() + b'" ',
                1,
            )
        return data

    rewrite_member(folder / COMUNE, "content.xml", edit)


def invisible_ids(folder: Path) -> None:
    """Protocols and tax codes with invisible characters (ZWSP, BOM, NUL, soft hyphen)."""
    rows, d = csv_rows(folder)
    head = rows[0]
    prot, cf, name = head.index("Prot."), head.index("Cod. fiscale"), head.index("Nome")
    rows[1][prot] = "\u200b" + rows[1][prot]
    rows[2][prot] = "\ufeff" + rows[2][prot]
    rows[3][prot] = rows[3][prot] + "\x00"
    rows[4][cf] = rows[4][cf][:4] + "\u00ad" + rows[4][cf][4:]
    rows[5][name] = "\u200d" + rows[5][name] + "\u202e"
    write_csv(folder, rows, d)


def odd_amounts(folder: Path) -> None:
    """Costs of -0, 0,0000000001 and 12,345 (more decimals than cents)."""
    set_csv(folder, {(0, "Costo"): "-0", (1, "Costo"): "0,0000000001", (2, "Costo"): "12,345"})


# ------------------------------------------------------------------ read: limits


def far_cell(folder: Path) -> None:
    """One value at XFD1048576 in the ASST file (28 KB; calamine would ask for 550 GB)."""

    def edit(data: bytes) -> bytes:
        far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'
        return data.replace(b"</sheetData>", far + b"</sheetData>", 1)

    rewrite_member(folder / ASST, sheet_member(folder / ASST), edit)


def many_rows(folder: Path) -> None:
    """3,000,000 rows of one cell each in the ASST file (about 12 MB zipped)."""
    path = folder / ASST
    member = sheet_member(path)
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info, data in items:
            if info.filename != member:
                zf.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            with zf.open(member, "w", force_zip64=True) as out:
                out.write(head)
                for start in range(300_000, 3_000_000, 100_000):
                    out.write(
                        b"".join(
                            b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r)
                            for r in range(start, start + 100_000)
                        )
                    )
                out.write(b"</sheetData>" + tail)


def wide_header(folder: Path) -> None:
    """A CSV header of 1,000,000 columns."""
    rows, d = csv_rows(folder)
    rows[0] = rows[0] + [f"x{i}" for i in range(1_000_000 - len(rows[0]))]
    write_csv(folder, rows, d)


def huge_field(folder: Path) -> None:
    """A CSV field of 200,000 characters (Python's csv module stops at 131,072)."""
    set_csv(folder, {(0, "Nome"): "A" * 200_000})


def huge_field_in_data(folder: Path) -> None:
    """A 200,000-character field far below the header (pandas reads it; Excel could not)."""
    rows, d = csv_rows(folder)
    rows[-1][rows[0].index("Nome")] = "B" * 200_000
    rows = rows[:1] + [rows[1]] * 40 + rows[1:]
    write_csv(folder, rows, d)


def huge_file(folder: Path) -> None:
    """A 2 GiB CSV (sparse: it takes no disk space)."""
    with (folder / COOP).open("r+b") as fh:
        fh.truncate(2 << 30)


def ods_repeats(folder: Path) -> None:
    """An ODS whose one row is repeated 1,048,575 times over 16,384 columns."""
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    ods(
        folder / COMUNE,
        "<table:table-row>"
        + cell.format("ID")
        + cell.format("CF bambino")
        + '</table:table-row><table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell office:value-type="float" office:value="1" '
        'table:number-columns-repeated="16384"/></table:table-row>',
    )


# ------------------------------------------------------------------ read: markup, paths


def markup_headers(folder: Path) -> None:
    """Headers with console markup: one mapped (missing from the file), one unused."""
    edit_config(folder, 'requested_eur: "Costo"', 'requested_eur: "Costo [/] [bold]x"')


def markup_unused(folder: Path) -> None:
    """An unused column headed [link=http://x]... and values with markup."""
    rows, d = csv_rows(folder)
    rows[0].append("[link=http://example.invalid]clic[/link] [/]")
    for r in rows[1:]:
        r.append("[bold red]x[/]")
    rows[1][rows[0].index("Nome")] = "[link=http://example.invalid]Mario[/link]"
    write_csv(folder, rows, d)


def absolute_glob(folder: Path) -> None:
    target = outside(folder) / "altro.csv"
    shutil.copy(folder / COOP, target)
    edit_config(folder, f'files: "{COOP}"', f'files: "{target}"')


def dotdot_glob(folder: Path) -> None:
    shutil.copy(folder / COOP, outside(folder) / "altro.csv")
    edit_config(folder, f'files: "{COOP}"', f'files: "../{folder.name}-fuori/*.csv"')


def symlink_file(folder: Path) -> None:
    target = outside(folder) / "altro.csv"
    shutil.move(folder / COOP, target)
    os.symlink(target, folder / COOP)


def symlink_dir(folder: Path) -> None:
    out = outside(folder)
    shutil.move(folder / COOP, out / "coop_il_sorriso.csv")
    os.symlink(out, folder / "partner" / "esterni")
    edit_config(folder, f'files: "{COOP}"', 'files: "partner/**/coop_*.csv"')


# ---------------------------------------------------------- part 2: config, outputs, letters


def yaml_alias_bomb(folder: Path) -> None:
    lines = ['a0: &a0 ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]']
    for i in range(1, 30):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    text = (folder / CONFIG).read_text(encoding="utf-8")
    (folder / CONFIG).write_text(
        text.replace("fields: []", "fields: []\nx-bomba:\n  " + "\n  ".join(lines)),
        encoding="utf-8",
    )


def esiti_is_a_file(folder: Path) -> None:
    (folder / "esiti").write_text("non una cartella\n", encoding="utf-8")


def tamper_manifest(folder: Path) -> None:
    """manifest.json still JSON, one value of the wrong type (a list made a number)."""
    path = folder / "esiti" / "manifest.json"
    if path.exists():
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["inputs"] = 5
        path.write_text(json.dumps(manifest), encoding="utf-8")


def template_symlink(folder: Path) -> None:
    secret = outside(folder) / "segreto.typ"
    secret.write_text("SEGRETO FUORI DAL BANDO\n", encoding="utf-8")
    (folder / "templates").mkdir()
    os.symlink(secret, folder / "templates" / "lettera.typ")


def template_loop(folder: Path) -> None:
    (folder / "templates").mkdir()
    (folder / "templates" / "lettera.typ").write_text(
        "#let i = 0\n#while true { i += 1 }\n", encoding="utf-8"
    )


def formula_tax_code(folder: Path) -> None:
    set_csv(folder, {(0, "Cod. fiscale"): '=HYPERLINK("http://example.invalid","x")'})


def csv_has_formula(folder: Path) -> str | None:
    path = folder / "esiti" / "graduatoria.csv"
    if not path.exists():
        return None
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
        for cell in row:
            if cell[:1] in ("=", "+", "@"):
                return f"graduatoria.csv holds a formula: {cell[:40]}"
    return None


def letters_kept(folder: Path) -> str | None:
    letters = folder / "esiti" / "lettere"
    kept = [p for p in letters.glob("*.pdf") if p.name != "lettere-tutte.pdf"]
    if len(kept) <= 1:
        return f"letters --ids left {len(kept)} letter(s): the others were deleted"
    chosen = list((folder / "esiti" / "lettere-selezioni").glob("*/*.pdf"))
    names = sorted(p.name for p in chosen if p.name != "lettere-tutte.pdf")
    if len(names) != 1:
        return f"letters --ids wrote {names} in esiti/lettere-selezioni, not the one letter"
    return None


def first_id(folder: Path) -> str:
    return "COOP-" + csv_rows(folder)[0][1][0]


def letters_ids(folder: Path) -> None:
    (folder / ".ids").write_text(first_id(folder), encoding="utf-8")


def config_value(old: str, new: str) -> Callable[[Path], None]:
    return lambda folder: edit_config(folder, old, new)


P2 = "part2"
CASES = [
    Case("valori_xlsx", "read", lambda f: (excel_errors(f), nan_number(f)), partners=("ASST",)),
    Case("valori_csv", "read", lambda f: (error_texts(f), invisible_ids(f), odd_amounts(f))),
    Case("errore_ods", "read", ods_error_cell, partners=("COMUNE",)),
    Case("errore_xls", "read", xls_errors, partners=("ATS",)),
    Case("errore_xlsb", "read", xlsb_errors),
    Case("cella_xfd1048576", "read", far_cell, partners=("ASST",)),
    Case("tre_milioni_di_righe", "read", many_rows, partners=("ASST",)),
    Case("un_milione_di_colonne", "read", wide_header),
    Case("campo_csv_200k_intestazione", "read", huge_field),
    Case("campo_csv_200k_dati", "read", huge_field_in_data),
    Case("file_da_2_gb", "read", huge_file),
    Case("ods_righe_ripetute", "read", ods_repeats, partners=("COMUNE",)),
    Case("markup_intestazione", "read", markup_headers),
    Case("markup_colonna_e_valori", "read", markup_unused),
    Case("glob_assoluto", "read", absolute_glob),
    Case("glob_fuori_con_punti", "read", dotdot_glob),
    Case("collegamento_file_fuori", "read", symlink_file),
    Case("collegamento_cartella_fuori", "read", symlink_dir),
    Case(
        "importo_1e300",
        "config",
        config_value("amount_eur: 100000", "amount_eur: 1e300"),
        "a fund of 1e300 EUR (crashed rank): now bando.yaml, line and key, exit 2",
    ),
    Case(
        "punti_1e300",
        "config",
        config_value("points: 5\n", "points: 1e300\n"),
        "points of 1e300 (crashed the scores): now bando.yaml, line and key, exit 2",
    ),
    Case(
        "data_anno_1",
        "config",
        config_value("reference_date: 2017-09-01", "reference_date: 0001-01-01"),
        "a reference date in year 1 (overflowed pandas): now out of the allowed range, exit 2",
    ),
    Case(
        "encoding_rot13",
        "config",
        config_value(
            '    files: "partner/coop_il_sorriso.csv"\n',
            '    files: "partner/coop_il_sorriso.csv"\n    encoding: rot13\n',
        ),
        "encoding rot13 (passed the schema, crashed decoding): now refused by the schema, exit 2",
    ),
    Case(
        "yaml_alias_bomb",
        "config",
        yaml_alias_bomb,
        "a 13 KB alias bomb (hung validate past 4 GB): now stops at once, exit 2",
        timeout=10,
    ),
    Case(
        "esiti_e_un_file",
        "outputs",
        esiti_is_a_file,
        "esiti is a file (traceback): now one message for every command, exit 2",
    ),
    Case(
        "manifest_manomesso",
        "verify",
        lambda folder: None,
        "a tampered manifest.json (crashed verify): now one message naming the key, exit 2",
        before={"verify": tamper_manifest},
    ),
    Case(
        "template_collegamento_fuori",
        "read",
        template_symlink,
        "a template linked out of the call folder (was followed): now letters stops first, "
        "naming the link, exit 2 (config/inside.py)",
        check=lambda folder: (
            "letters were written with a template outside the call folder"
            if any((folder / "esiti" / "lettere").glob("*.pdf"))
            else None
        ),
    ),
    Case(
        "template_ciclo_infinito",
        "outputs",
        template_loop,
        "a call template that loops for ever: Typst stops the loop and letters ends with one "
        "Italian message naming the template and its line, exit 2",
    ),
    Case(
        "formula_nel_csv",
        "csv",
        formula_tax_code,
        "a tax code =HYPERLINK(...) (written raw): now '=HYPERLINK(... in graduatoria.csv",
        check=csv_has_formula,
    ),
    Case(
        "letters_ids",
        "outputs",
        letters_ids,
        "letters --ids deleted every other letter its manifest listed: now a selection goes "
        "to esiti/lettere-selezioni/<date>, the letters of the whole list stay, verify checks both",
        extra=[["letters", "--date", "2017-09-15", "--ids", "@ids"], ["verify"]],
        check=letters_kept,
    ),
    Case(
        "due_rank_insieme",
        "outputs",
        lambda folder: None,
        "two rank at once (each deleted the other's folder): now one waits out with exit 2",
        concurrent_rank=True,
    ),
]


def make_case(case: Case, out: Path) -> Path:
    folder = out / case.name
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("esiti", "README.md"))
    only_partners(folder, case.partners)
    case.build(folder)
    return folder


def main(argv: list[str]) -> int:
    out = Path(argv[1])
    names = set(argv[2:])
    out.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        if not names or case.name in names:
            make_case(case, out)
            print(f"{case.part:6} {case.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
