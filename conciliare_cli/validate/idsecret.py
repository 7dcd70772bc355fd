"""Ids without protocol are never published in a form anyone can recompute.

A partner's row without a protocol gets an id derived from the applicant's tax code and the
submission time (read.application_ids). Without a secret anyone who knows a tax code finds
that id in at most 86,400 tries (the seconds of the submission day) and, in the public list,
the applicant's outcome. With `call.id_secret` the id is an HMAC of the same content under
the secret; with `publication.public_id: pseudonym` the list shows a keyed code instead of the
id. Otherwise `rank` stops before writing anything, naming the first such row, and
`validate` says the same as a warning (the check of the partners' files goes on).
"""

from __future__ import annotations

from collections.abc import Iterable

from conciliare_cli import italian
from conciliare_cli.config import LoadedCall
from conciliare_cli.errors import UserError
from conciliare_cli.read import PartnerReport

HINT = (
    "aggiungere in bando.yaml, nella sezione call, un segreto di almeno 16 caratteri, da "
    'non cambiare durante il bando (id_secret: "una frase lunga che nessuno conosce"), '
    "oppure pubblicare codici pseudonimi (publication: public_id: pseudonym)"
)

# (partner id, rows without protocol, file and row of the first): PartnerReport.derived_ids
Derived = tuple[str, int, str, int]


def derived_of(partners: Iterable[PartnerReport]) -> list[Derived]:
    """The partners whose rows had no protocol, as the publication check wants them."""
    return [(p.partner_id, *p.derived_ids) for p in partners if p.derived_ids is not None]


def unsafe_ids(call: LoadedCall, derived: Iterable[Derived]) -> UserError | None:
    """The error to give when ids derived without a secret would be published as they are."""
    config = call.config
    if config.call.id_secret or config.publication.public_id != "application_id":
        return None
    for partner_id, rows, file, row in derived:
        what = "una riga" if rows == 1 else f"{italian.number(rows)} righe"
        return UserError(
            f"{what} del partner {partner_id} senza protocollo (la prima è la riga {row}): "
            "il codice della domanda si ricava dal codice fiscale e dall'ora di invio, e "
            "pubblicato nella graduatoria potrebbe ricalcolarlo chiunque conosca il codice "
            "fiscale",
            file=file,
            hint=HINT,
        )
    return None


def check_derived_ids(call: LoadedCall, derived: Iterable[Derived]) -> None:
    """Raise `unsafe_ids` when there is one (rank, before writing anything)."""
    error = unsafe_ids(call, derived)
    if error is not None:
        raise error
