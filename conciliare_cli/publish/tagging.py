"""The logical structure of a PDF drawn directly (publish/pdf.py), for PDF/UA-1.

A screen reader reads a tagged PDF by its structure tree, not by the drawing: here Document →
H1 (the title), P (the status line and the notes), H2 (each section), Table → TR → TH / TD.
Every text drawn is either marked content of one structure element (`mark`: the operators
wrapped in `/TD <</MCID n>> BDC … EMC`, the element told where its content is) or an artifact
(`artifact`: the running header and footer, the header row repeated on later pages, cell
borders and fills), which a reader skips.

The structure is kept in flat lists (one entry per element) and written as raw objects at the
end, so a list of 100,000 rows costs a few hundred thousand small appends, not Python objects
per cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, SubElement, register_namespace

import pydyf


@dataclass
class Tags:
    """Structure elements (by index) and, per page, the element of each marked-content id."""

    tags: list[str] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)  # -1: the root
    attributes: list[str] = field(default_factory=list)  # the /A entry, or ""
    kids: list[list[tuple[int, int]]] = field(default_factory=list)  # (0, element) | (1, mcid)
    kid_pages: list[int] = field(default_factory=list)  # the page of the element's content
    page_elements: list[list[int]] = field(default_factory=list)  # page → element per MCID

    def element(self, tag: str, parent: int = -1, attributes: str = "") -> int:
        """A new structure element under `parent` (the document root when -1)."""
        index = len(self.tags)
        self.tags.append(tag)
        self.parents.append(parent)
        self.attributes.append(attributes)
        self.kids.append([])
        self.kid_pages.append(-1)
        if parent >= 0:
            self.kids[parent].append((0, index))
        return index

    def mark(self, page: int, element: int, ops: str) -> str:
        """`ops` as marked content of `element` on `page` (0-based)."""
        while len(self.page_elements) <= page:
            self.page_elements.append([])
        mcids = self.page_elements[page]
        mcid = len(mcids)
        mcids.append(element)
        self.kids[element].append((1, mcid))
        self.kid_pages[element] = page
        return f"/{self.tags[element]} <</MCID {mcid}>> BDC {ops} EMC"

    def objects(self, base: int, pages: list[pydyf.Dictionary]) -> list[bytes]:
        """The structure tree as the bytes of objects numbered from `base` (the
        StructTreeRoot first, then the elements in order); gives each page its
        /StructParents."""
        refs = [f"{base + 1 + i} 0 R" for i in range(len(self.tags))]
        page_refs = [p.reference.decode() for p in pages]
        root_ref = f"{base} 0 R"
        out = [b""]
        for i, tag in enumerate(self.tags):  # as short as the syntax allows: one per cell
            kids = " ".join(refs[k] if kind == 0 else str(k) for kind, k in self.kids[i])
            parent = refs[self.parents[i]] if self.parents[i] >= 0 else root_ref
            page = f"/Pg {page_refs[self.kid_pages[i]]}" if self.kid_pages[i] >= 0 else ""
            extra = f"/A{self.attributes[i]}" if self.attributes[i] else ""
            out.append(f"<</S/{tag}/P {parent}{page}{extra}/K[{kids}]>>".encode())
        tops = " ".join(refs[i] for i, p in enumerate(self.parents) if p < 0)
        parent_tree = []
        for number, page in enumerate(pages):
            page["StructParents"] = number
            elements = self.page_elements[number] if number < len(self.page_elements) else []
            parent_tree.append(f"{number} [{' '.join(refs[e] for e in elements)}]")
        out[0] = (
            f"<</Type /StructTreeRoot /K [{tops}] /ParentTree <</Nums [{' '.join(parent_tree)}]>>"
            f" /ParentTreeNextKey {len(pages)}>>"
        ).encode()
        return out


def artifact(ops: str, pagination: str | None = None) -> str:
    """`ops` as an artifact: a reader skips it (`pagination`: 'Header' or 'Footer' for the
    running header and footer)."""
    if pagination:
        return f"/Artifact <</Type /Pagination /Subtype /{pagination}>> BDC {ops} EMC"
    return f"/Artifact BMC {ops} EMC"


TH_COLUMN = "<</O /Table /Scope /Column>>"  # a header cell heads its column


# ----------------------------------------------------------------------------- metadata

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_NS = {
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in XMP_NS.items():
    register_namespace(_prefix, _uri)


def add_pdfua_xmp(rdf: Element) -> None:
    """Declare PDF/UA-1 in the XMP packet (pdfuaid:part), with the extension schema PDF/A asks
    for any property outside its own schemas."""
    ident = SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    SubElement(ident, f"{{{XMP_NS['pdfuaid']}}}part").text = "1"
    ext = SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    bag = SubElement(SubElement(ext, f"{{{XMP_NS['pdfaExtension']}}}schemas"), f"{{{RDF}}}Bag")
    schema = SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    s = XMP_NS["pdfaSchema"]
    SubElement(schema, f"{{{s}}}schema").text = "PDF/UA Universal Accessibility Schema"
    SubElement(schema, f"{{{s}}}namespaceURI").text = XMP_NS["pdfuaid"]
    SubElement(schema, f"{{{s}}}prefix").text = "pdfuaid"
    seq = SubElement(SubElement(schema, f"{{{s}}}property"), f"{{{RDF}}}Seq")
    prop = SubElement(seq, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    p = XMP_NS["pdfaProperty"]
    SubElement(prop, f"{{{p}}}name").text = "part"
    SubElement(prop, f"{{{p}}}valueType").text = "Integer"
    SubElement(prop, f"{{{p}}}category").text = "internal"
    SubElement(prop, f"{{{p}}}description").text = "Part of ISO 14289 the file conforms to"
