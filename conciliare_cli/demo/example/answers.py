"""The example call's corrections file: the applicants' answers to the soccorso istruttorio.

For every planted case that blocks an application (a value that cannot be read, a typing
mistake, rows that disagree), the office asked the applicant and recorded the answer in
`correzioni.xlsx`: a corrected value (the true one the builder knows), or a confirmation
(no reply, or the value stands) so that the call's rules decide on the value as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from conciliare_cli.atomic import atomic_file
from conciliare_cli.demo.example.builder import Builder, Plant
from conciliare_cli.demo.spreadsheets import FIXED_CREATED
from conciliare_cli.records import CORRECTIONS_HEADERS as HEADERS

FILE = "correzioni.xlsx"
ASKED = dt.date(2017, 8, 21)  # the requests went out after the window closed
ANSWERED = dt.date(2017, 9, 4)


@dataclass
class Answer:
    plant: Plant
    field: str  # the Italian label, as the coordinator writes it
    value: str  # '' with a confirmation
    decision: str  # correzione | conferma
    reason: str


def answers(b: Builder) -> list[Answer]:
    """One answer per blocking planted case, in the README's order."""
    out = []
    for plant in b.plants:
        if plant.code == "MINORE_RIPETUTO_IN_DOMANDA":
            out.extend(_second_child(b, plant))
            continue
        made = _answer(b, plant)
        if made is not None:
            out.append(made)
    return out


def _second_child(b: Builder, plant: Plant) -> list[Answer]:
    """Figlio 2 was Figlio 1 copied again: the family gives the second child's data, every
    field of it (the office corrects the whole child, not the tax code alone)."""
    why = "Figlio 2 copiato dal Figlio 1: dati del secondo figlio"
    born = b.truth[(plant.app, 2, "minor_birth_date")]
    return [
        Answer(plant, "CF minore", str(b.truth[(plant.app, 2, "minor_tax_code")]), "correzione",
               why),
        Answer(plant, "Cognome minore", str(b.truth[(plant.app, 2, "minor_surname")]),
               "correzione", why),
        Answer(plant, "Nome minore", str(b.truth[(plant.app, 2, "minor_name")]), "correzione",
               why),
        Answer(plant, "Data di nascita minore", born.strftime("%d/%m/%Y"), "correzione", why),
    ]  # fmt: skip


def _answer(b: Builder, plant: Plant) -> Answer | None:
    pop = b.pop
    slot = plant.slot or 1
    i = b.minor(plant.app, slot) if plant.app else None
    code = plant.code
    if code == "CF_NON_VALIDO":
        field = "CF minore" if plant.slot else "CF richiedente"
        return Answer(plant, field, "", "conferma", "nessuna risposta entro il termine")
    if code == "DATA_PRESENTAZIONE_IMPLAUSIBILE":  # 15/07/2071: the year mistyped
        when = "15/07/2017 " + pop.at[i, "submitted_at"].strftime("%H:%M")
        return Answer(plant, "Data e ora di presentazione", when, "correzione", "anno 2071 "
                      "digitato per 2017: ricevuta di protocollo")  # fmt: skip
    if code in ("DATA_NON_LEGGIBILE",):
        born = pop.at[i, "minor_birth_date"].strftime("%d/%m/%Y")
        return Answer(plant, "Data di nascita minore", born, "correzione", "certificato")
    if code == "CAMPO_OBBLIGATORIO_MANCANTE":
        cf = pop.at[i, "minor_tax_code"]
        return Answer(plant, "CF minore", str(cf), "correzione", "tessera sanitaria")
    if code == "ISEE_NEGATIVO":
        isee = _euros(b.truth[(plant.app, None, "isee")])
        return Answer(plant, "ISEE", isee, "correzione", "attestazione ISEE")
    if code == "SI_NO_NON_LEGGIBILE":
        value = "SI" if bool(pop.at[i, "disability"]) else "NO"
        return Answer(plant, "Disabilità (L. 104/92)", value, "correzione", "dichiarazione")
    if code == "NASCITA_FUTURA":
        return Answer(plant, "Data di nascita minore", "", "conferma", "data confermata")
    if code == "IMPORTO_NEGATIVO":
        cost = _euros(b.truth[(plant.app, 1, "requested_eur")])
        return Answer(plant, "Costo richiesto", cost, "correzione", "segno meno digitato")
    if code == "DOMANDA_INCOERENTE":
        isee = _euros(pop.at[i, "isee"])
        return Answer(plant, "ISEE", isee, "correzione", "attestazione ISEE")
    return None


def _euros(cents: object) -> str:
    value = int(cents)  # type: ignore[call-overload]
    return f"{value // 100},{value % 100:02d}"


def write_corrections(out: Path, b: Builder) -> list[Answer]:
    """Write `out/correzioni.xlsx` (the minor named by its number in the application, which
    in the example's files is its slot). Returns the answers, for the README."""
    made = answers(b)
    with atomic_file(out / FILE) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        wb.set_properties({"created": FIXED_CREATED, "author": "Ufficio Progetti di Conciliazione"})
        ws = wb.add_worksheet("Correzioni")
        bold = wb.add_format({"bold": True})
        ws.write_row(0, 0, list(HEADERS.values()), bold)
        for r, a in enumerate(made, start=1):
            minor = "" if a.plant.slot is None else str(a.plant.slot)
            prot = f"prot. {1200 + r}/2017 del {ASKED:%d/%m/%Y}"
            answered = a.decision == "correzione"
            reply = f"prot. {1400 + r}/2017 del {ANSWERED:%d/%m/%Y}" if answered else ""
            row = [a.plant.app, minor, a.field, a.value, a.decision, a.reason, prot, reply,
                   f"{ANSWERED:%d/%m/%Y}"]  # fmt: skip
            ws.write_row(r, 0, row)
        ws.set_column(0, len(HEADERS) - 1, 22)
        wb.close()
    return made
