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

# - the register of events after the final list (acts/events.py): one row per decision of
#   the office on an application or one of its minors (acceptance, renunciation, revocation,
#   lapse, the outcome of a check), the input of every scorrimento.
EVENTS_HEADERS = {
    "date": "Data",
    "event": "Evento",
    "application": "Domanda",
    "minor": "Minore",
    "outcome": "Esito",
    "reason": "Motivo",
    "act": "Atto",
    "by": "Registrato da",
    "note": "Note",
    "amount": "Importo",
}
EVENTS_FILE = "eventi.xlsx"
# the kinds of event, as the office writes them in 'Evento'
ACCEPTANCE, RENUNCIATION, REVOCATION, LAPSE, CHECK = (
    "accettazione",
    "rinuncia",
    "revoca",
    "decadenza",
    "controllo",
)
# after an observation or an appeal: a minor or an application put back on the list, a
# voucher raised ('Importo': the new amount); Esito 'precedenza' when the act funds it first
REINSTATEMENT, CORRECTION = "riammissione", "correzione"
PRIORITY = "precedenza"
# the outcome of a check ('Esito'): a failed check is a revocation
CHECK_PASSED, CHECK_FAILED = "regolare", "irregolare"
