"""The publishable graduatoria: what may go to the Albo, and nothing more.

Italian law lets a list of beneficiaries be published only without identifying anyone when it
would reveal health or economic hardship (d.lgs. 33/2013 art. 26 c. 4; d.lgs. 196/2003
art. 2-septies c. 8; Garante, guidelines on web transparency, 2014). So the public list has:

- one row per ranked unit (application, or minor when ranking.unit is minor): position, public
  id (protocol number, or a pseudonymous code), total score, outcome, amount;
- the excluded units by public id only, with the neutral wording "Non ammessa" (never why);
- never a name, a tax code, an e-mail, a per-criterion column, and no total score when a
  criterion reveals health data (`sensitive: true`, or a condition on a health field) and
  publication.hide_score_when_sensitive is true (the default);
- no position and no score, and the funded units by public id, when a fund or a reserve is
  conditioned on health data (publish/health_order.py: the order would show who was funded
  by that condition).

`public_list(result)` builds the table (pure, here); publish/public.py writes it as
graduatoria-pubblica.xlsx and publish/pdf.py as graduatoria-pubblica.pdf.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import pandas as pd

from conciliare_cli.config.models import CallConfig
from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.publish.health_order import hide_funding_order
from conciliare_cli.status import Status

PSEUDONYM_LENGTH = 10  # hex characters of HMAC-SHA256: 40 bits

# Outcomes as the public reads them: an excluded unit is "Non ammessa", never why.
PUBLIC_STATUS_LABELS: dict[str, str] = {s.value: s.public_label for s in Status}

COLUMN_HEADERS = {
    "rank": "Posizione",
    "score": "Punteggio",
    "status": "Esito",
    "awarded_eur": "Importo assegnato",
}

PRIVACY_NOTE = (
    "Graduatoria pubblicata senza dati personali: ai sensi dell'art. 26 c. 4 del d.lgs. "
    "33/2013, dell'art. 2-septies c. 8 del d.lgs. 196/2003 e delle Linee guida del Garante "
    "per la protezione dei dati personali (2014) le domande sono indicate con il {id_what}. "
    "Ogni richiedente riceve la comunicazione del proprio esito."
)
SCORE_HIDDEN_NOTE = (
    "Il punteggio non è pubblicato perché alcuni criteri riguardano dati relativi alla salute."
)


@dataclass(frozen=True)
class PublicList:
    """The publishable list: ranked units, excluded units, and how to show them."""

    ranked: pd.DataFrame  # columns: rank, public_id, score, status, awarded_cents
    excluded: pd.DataFrame  # columns: public_id, status
    columns: list[str]  # publication.columns, less 'score' when hidden
    score_hidden: bool
    id_header: str  # 'Protocollo' or 'Codice'
    notes: list[str]


# ----------------------------------------------------------------------------- ids


def pseudonym(salt: str, key: str, length: int = PSEUDONYM_LENGTH) -> str:
    """The pseudonymous public code of `key` (an application id): HMAC-SHA256, upper-case hex.

    >>> pseudonym("segreto", "ASST-2017-0001")
    '4DB58EA6E5'
    """
    digest = hmac.new(salt.encode("utf-8"), key.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:length].upper()


def public_id_for(config: CallConfig, key: str) -> str:
    """What the public list shows for an application id (for letters: 'your code is ...')."""
    pub = config.publication
    if pub.public_id == "pseudonym":
        return pseudonym(_salt(config), key)
    return key


def _salt(config: CallConfig) -> str:
    salt = config.publication.pseudonym_salt
    if not salt:
        raise UserError(
            "publication.public_id è 'pseudonym' ma manca publication.pseudonym_salt",
            hint='aggiungere in bando.yaml un segreto: pseudonym_salt: "..."',
        )
    return salt


def _public_keys(units: pd.DataFrame, unit: str) -> pd.Series:
    """The key of each unit before pseudonymisation: the application id, and for minor units
    the application id with the minor's ordinal inside it ('ASST-0042/2')."""
    app = units["application_id"].astype("string").fillna("")
    if unit != "minor":
        return app
    order = units.assign(_app=app, _uid=units["unit_id"].astype("string").fillna(""))
    order = order.sort_values(["_app", "_uid"], kind="stable")
    ordinal = order.groupby("_app", sort=False).cumcount() + 1
    ordinal = ordinal.reindex(units.index)
    return app + "/" + ordinal.astype("string")


def public_ids(result: RankResult) -> pd.Series:
    """The public id of every unit of `result.units` (same index)."""
    config = result.call.config
    keys = _public_keys(result.units, config.ranking.unit)
    if config.publication.public_id != "pseudonym":
        return keys
    salt = _salt(config)
    codes = pd.Series([pseudonym(salt, k) for k in keys.tolist()], index=keys.index, dtype="string")
    if codes.duplicated().any():
        raise UserError(
            "due domande hanno lo stesso codice pseudonimo",
            hint="cambiare publication.pseudonym_salt in bando.yaml",
        )
    return codes


# ----------------------------------------------------------------------------- sensitivity


def sensitive_criteria(result: RankResult) -> list[str]:
    """Ids of the criteria whose points reveal health data (engine/compile.py says which:
    `sensitive: true`, or a field or condition that uses a health field)."""
    return list(result.rules.sensitive_criteria)


# ----------------------------------------------------------------------------- the list


def public_list(result: RankResult) -> PublicList:
    """Build the publishable list from the ranked units (no I/O)."""
    config = result.call.config
    pub = config.publication
    units = result.units
    ids = public_ids(result)
    status = units["status"].astype("string")
    is_excluded = status.eq("ESCLUSA").fillna(False).to_numpy() | units["rank"].isna().to_numpy()
    labels = status.map(lambda s: PUBLIC_STATUS_LABELS.get(str(s), str(s)) if pd.notna(s) else "")

    table = pd.DataFrame(
        {
            "rank": pd.array(units["rank"], dtype="Int64"),
            "public_id": ids.astype("string").to_numpy(),
            "score": pd.to_numeric(units["score"], errors="coerce").astype("Float64").to_numpy(),
            "status": labels.astype("string").to_numpy(),
            "awarded_cents": pd.array(
                pd.to_numeric(units["awarded_cents"], errors="coerce"), dtype="Int64"
            ),
        }
    )
    ranked = table[~is_excluded].sort_values(["rank", "public_id"], kind="stable")
    # not in the graduatoria: "Non ammessa" (never why), or "In istruttoria" while the data
    # of the application are being regularised
    excluded = table[is_excluded][["public_id", "status"]].sort_values("public_id", kind="stable")

    score_hidden = pub.hide_score_when_sensitive and bool(sensitive_criteria(result))
    columns = [c for c in pub.columns if not (c == "score" and score_hidden)]
    id_header = "Codice" if pub.public_id == "pseudonym" else "Protocollo"
    id_what = "codice pseudonimo" if pub.public_id == "pseudonym" else "numero di protocollo"
    notes = [PRIVACY_NOTE.format(id_what=id_what)]
    if score_hidden and "score" in pub.columns:
        notes.append(SCORE_HIDDEN_NOTE)
    # a fund or reserve conditioned on health data: no order of the funded (health_order.py)
    ranked, columns, order_note = hide_funding_order(ranked, columns, result.rules, id_what)
    if order_note:
        score_hidden = True
        notes.append(order_note)
    return PublicList(
        ranked=ranked.reset_index(drop=True),
        excluded=excluded.reset_index(drop=True),
        columns=columns,
        score_hidden=score_hidden,
        id_header=id_header,
        notes=notes,
    )
