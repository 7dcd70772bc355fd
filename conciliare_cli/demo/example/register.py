"""The example call's register of events after the final list (`eventi.xlsx`): what the office
recorded in the autumn of 2017, and the README section on the three scorrimenti it feeds.

The decisions are the office's (inputs, like the partners' files); what the acts make of
them is written in the README and checked by tests/test_acts_example.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from conciliare_cli.atomic import atomic_file
from conciliare_cli.demo.spreadsheets import FIXED_CREATED
from conciliare_cli.records import EVENTS_FILE
from conciliare_cli.records import EVENTS_HEADERS as HEADERS

FINAL_DATE = "2017-09-15"
ACT_DATES = ("2017-10-16", "2017-11-30", "2017-12-15")
BY = "M. Bianchi (Ufficio Progetti di Conciliazione)"


@dataclass(frozen=True)
class Event:
    date: str  # dd/mm/yyyy, as the office writes it
    kind: str
    application: str
    minor: str = ""
    outcome: str = ""
    reason: str = ""
    act: str = ""


EVENTS = (
    Event("25/09/2017", "accettazione", "AZIENDA-M0001", act="prot. 2210/2017"),
    Event("02/10/2017", "rinuncia", "COOP-S031", reason="trasferimento della famiglia in "
          "altra regione", act="prot. 2298/2017"),
    Event("05/10/2017", "controllo", "ATS-R00015", outcome="irregolare", reason="ISEE "
          "dichiarato 9.800,00 €, attestazione INPS 21.400,00 €: decade dal beneficio "
          "(DPR 445/2000 art. 75)", act="determina n. 212 del 05/10/2017"),
    Event("06/10/2017", "controllo", "AZIENDA-M0057", outcome="regolare",
          reason="dichiarazioni conformi", act="determina n. 212 del 05/10/2017"),
    Event("20/11/2017", "rinuncia", "COMUNE-43", minor="2", reason="il minore non "
          "frequenta più il servizio", act="prot. 2705/2017"),
    Event("04/12/2017", "riammissione", "ATS-R00040", reason="ricorso accolto: la PEC della "
          "domanda risulta consegnata il 31/07/2017 alle 11:58, nei termini",
          act="determina n. 260 del 04/12/2017"),
    Event("11/12/2017", "rinuncia", "COMUNE-51", reason="la famiglia ha scelto un altro "
          "servizio", act="prot. 2911/2017"),
)  # fmt: skip


def write_events(out: Path) -> tuple[Event, ...]:
    """Write `out/eventi.xlsx` (a title row above the headers, as offices do)."""
    with atomic_file(out / EVENTS_FILE) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        wb.set_properties({"created": FIXED_CREATED, "author": "Ufficio Progetti di Conciliazione"})
        ws = wb.add_worksheet("Eventi")
        bold = wb.add_format({"bold": True})
        ws.write_string(0, 0, "Registro degli eventi dopo la graduatoria definitiva", bold)
        ws.write_row(2, 0, list(HEADERS.values()), bold)
        for r, e in enumerate(EVENTS, start=3):
            ws.write_row(r, 0, [e.date, e.kind, e.application, e.minor, e.outcome, e.reason,
                                e.act, BY, ""])  # fmt: skip
        ws.set_column(0, len(HEADERS) - 1, 20)
        wb.close()
    return EVENTS


def readme_section() -> list[str]:
    """The README's section on the register and the three scorrimenti."""
    lines = [
        "## After the final list: eventi.xlsx and three scorrimenti",
        "",
        "The final list is an act: it never changes. What the office decides afterwards is",
        "recorded in `eventi.xlsx` (row 4 onwards; Excel rows), and each scorrimento is a new",
        "act in `scorrimenti/scorrimento_N/`, computed from the final list and the events up",
        "to its date, chained to the previous act by its manifest's SHA-256:",
        "",
        "```",
        f"conciliare rank examples/conciliare-2017 --definitiva --data {FINAL_DATE}",
        f"conciliare scorrimento examples/conciliare-2017 --data {ACT_DATES[0]}",
        f"conciliare scorrimento examples/conciliare-2017 --data {ACT_DATES[1]}",
        f"conciliare scorrimento examples/conciliare-2017 --data {ACT_DATES[2]}",
        "conciliare letters examples/conciliare-2017 --scorrimento 3 --data 2017-12-18",
        "conciliare verify examples/conciliare-2017",
        "```",
        "",
        "| Row | Date | Event | Application | Minor | Outcome | Why | Act |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r, e in enumerate(EVENTS, start=4):
        lines.append(
            f"| {r} | {e.date} | {e.kind} | {e.application} | {e.minor} | {e.outcome} "
            f"| {e.reason} | {e.act} |"
        )
    return [*lines, "", *ACTS_TEXT, "", *CHECKS_TEXT, "", *RECORDING_TEXT, ""]


CHECKS = ("2017-09-25", "5%", "controlli-conciliare-2017")
CHECKS_TEXT = [
    "The two checks are on applications of the sample the office drew on "
    f"{CHECKS[0][8:]}/{CHECKS[0][5:7]}/{CHECKS[0][:4]},",
    f"as `checks:` in `bando.yaml` states it ({CHECKS[1]} of the funded applications of each",
    f"partner, seed `{CHECKS[2]}`, DPR 445/2000 art. 71):",
    "",
    "```",
    f"conciliare controlli examples/conciliare-2017 --data {CHECKS[0]}",
    "```",
    "",
    "which writes `controlli/campione.xlsx` (20 applications) for the offices; run again, it",
    "recomputes the sample and checks it is the same.",
]

RECORDING_TEXT = [
    "The office keeps `eventi.xlsx` by hand. With a register in CSV, or none yet, each",
    "decision can also be added by command, checked like the rows above, e.g.",
    "",
    "```",
    "conciliare evento examples/conciliare-2017 --tipo accettazione --domanda AZIENDA-M0042 \\",
    '    --data 2018-01-10 --atto "prot. 12/2018" --registrato-da "M. Bianchi"',
    "```",
    "",
    "(on this folder it refuses and prints the row to add by hand: a workbook is never",
    "rewritten). This call asks no acceptance (no `acceptance:` in `bando.yaml`); with one,",
    "`conciliare situazione` would list, from `ricevute.csv`, the families whose term to",
    "accept has run out: lapses for the office to declare and record as `decadenza`.",
]

# What the acts do with these events (checked by tests/test_acts_example.py).
ACTS_TEXT = [
    "- **scorrimento n. 1 del 16/10/2017**: the renunciation of COOP-S031 (two children,",
    "  465,50 €) and the revocation of ATS-R00015 after its failed check (536,50 €) free",
    "  1.002,00 € of the FSE fund. In rank order they complete AZIENDA-M0009 (position 323,",
    "  partly funded in the final list), fund AZIENDA-M0042 (position 324, the first on the",
    "  waiting list) and, in part, ATS-R00002 (position 325). The acceptance and the passed",
    "  check are on record only.",
    "- **scorrimento n. 2 del 30/11/2017**: the renunciation for the second child of",
    "  COMUNE-43 frees 300,00 €, which go to ATS-R00002, still partly funded.",
    "- **scorrimento n. 3 del 15/12/2017**: an appeal is accepted. ATS-R00040 was excluded",
    "  from the final list as late (FUORI_TERMINE); the PEC turns out delivered in time, and",
    "  the riammissione of 04/12/2017 puts it back where its score (15) and the tie-breakers",
    "  place it: between 202 and 203, shown as **202-bis**, so no other number changes. Its",
    "  money is not taken from anyone: the renunciation of COMUNE-51 (position 31, 300,00 €)",
    "  frees 300,00 €, and 202-bis is the first need in rank order (before ATS-R00002 at",
    "  325), so ATS-R00040 is funded with it.",
    "",
    "Nobody else's position or amount changes in any act; `variazioni.csv` in each act's",
    "folder lists the families to write to. `conciliare letters --scorrimento 3` writes",
    "their letters into `scorrimenti/scorrimento_3/lettere/`: the *Provvedimento di",
    "assegnazione del voucher a seguito di scorrimento n. 3 del 15/12/2017* for ATS-R00040",
    "(riammessa, position 202-bis, 300,00 €) with its slip; COMUNE-51 renounced and gets no",
    "letter from the act.",
]
