"""The records the office keeps in the call folder, as spreadsheets it fills in: their
column headers, in Italian, in one place (the readers, the writers of the lists to fill and
the example call use them).

- the corrections file (*soccorso istruttorio*, validate/corrections.py): one row per answer
  of an applicant, applied over the partners' data.
"""

from __future__ import annotations

CORRECTIONS_HEADERS = {
    "application": "Domanda",
    "minor": "Minore",
    "field": "Campo",
    "value": "Valore corretto",
    "decision": "Decisione",
    "reason": "Motivo",
    "request": "Richiesta",
    "reply": "Risposta",
    "date": "Data",
}
CORRECTION, CONFIRMATION = "correzione", "conferma"
