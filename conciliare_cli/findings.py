"""The catalogue of findings (anomalie): one code, a severity, an Italian template each.

Reports, the README table of codes and the tests all come from this catalogue; tests assert
codes, not wording. A finding never stops a run.

Severity:
- BLOCCANTE: the row (minor) or the whole application cannot be admitted as it is;
- AVVISO: worth a look, the row is still used.

Scope says what a blocking finding blocks: the minor row, the whole application, or nothing
(file-level notes such as an ignored totals row).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from conciliare_cli.fields import Level


class Severity(StrEnum):
    BLOCKING = "BLOCCANTE"
    WARNING = "AVVISO"


class Scope(StrEnum):
    FILE = "file"
    APPLICATION = "application"
    MINOR = "minor"


@dataclass(frozen=True)
class FindingType:
    code: str
    severity: Severity
    scope: Scope
    template: str  # Italian; placeholders: {value}, {column}, {field}, {detail}
    description: str  # Italian, for the README and the Anomalie sheet legend


B, W = Severity.BLOCKING, Severity.WARNING
FI, AP, MI = Scope.FILE, Scope.APPLICATION, Scope.MINOR

CATALOGUE: dict[str, FindingType] = {
    t.code: t
    for t in [
        # ---- reading (conciliare_cli/read)
        FindingType(
            "RIGA_VUOTA_IGNORATA",
            W,
            FI,
            "riga vuota ignorata",
            "Una riga senza dati tra le domande: non è letta come domanda.",
        ),
        FindingType(
            "RIGA_TOTALI_IGNORATA",
            W,
            FI,
            "riga di totali ignorata: {detail}",
            "Una riga di totali o note in fondo al foglio: non è letta come domanda.",
        ),
        FindingType(
            "COLONNA_NON_USATA",
            W,
            FI,
            "colonna '{column}' non usata dal bando",
            "Una colonna del file che nessun campo del bando legge: i suoi dati non sono usati.",
        ),
        FindingType(
            "COLONNA_VUOTA_IGNORATA",
            W,
            FI,
            "colonna senza intestazione ignorata",
            "Una colonna senza intestazione (o vuota) a destra dei dati.",
        ),
        FindingType(
            "DATA_NON_LEGGIBILE",
            B,
            MI,
            "data non leggibile: '{value}'",
            "Una data che non si riesce a interpretare.",
        ),
        FindingType(
            "IMPORTO_NON_LEGGIBILE",
            B,
            MI,
            "importo non leggibile: '{value}'",
            "Un importo che non si riesce a interpretare.",
        ),
        FindingType(
            "NUMERO_NON_LEGGIBILE",
            B,
            MI,
            "numero non leggibile: '{value}'",
            "Un numero che non si riesce a interpretare.",
        ),
        FindingType(
            "SI_NO_NON_LEGGIBILE",
            B,
            MI,
            "valore sì/no non leggibile: '{value}'",
            "Un valore che dovrebbe essere sì o no (SI, NO, X, 1, 0, vero, falso).",
        ),
        FindingType(
            "FORMULA_NEL_FILE",
            W,
            MI,
            "il testo '{value}' sembra una formula",
            "Un testo che inizia con = + - @: è trattato come testo, mai come formula.",
        ),
        FindingType(
            "DATO_NON_DICHIARATO",
            W,
            MI,
            "'{value}' letto come dato non dichiarato",
            "Una parola che il bando o il partner indica come «non dichiarato» (es. «non "
            "presentato», «in attesa»): il dato è letto come mancante.",
        ),
        FindingType(
            "RIGA_SENZA_DOMANDA",
            W,
            AP,
            "riga senza '{column}' letta come domanda a sé: {value}",
            "Una riga senza il protocollo (o il codice fiscale) della domanda che non si può "
            "attribuire alla domanda della riga sopra: è letta come domanda a sé.",
        ),
        FindingType(
            "CELLA_IN_ERRORE",
            B,
            MI,
            "la cella contiene un errore ('{value}'): il dato non si può leggere",
            "Una cella con un errore di Excel (#N/A, #DIV/0!, #RIF!, #VALORE!, #NOME?, "
            "#NUM!, #NULLO!, anche scritto come testo in un CSV), un numero non valido "
            "(NaN) o un testo oltre 32.767 caratteri (il limite di una cella di Excel): il "
            "dato non è leggibile e non vale come dato mancante.",
        ),
        FindingType(
            "CARATTERI_INVISIBILI_RIMOSSI",
            W,
            MI,
            "tolti caratteri invisibili da '{value}'",
            "Un protocollo o un codice fiscale conteneva caratteri invisibili (spazio a "
            "larghezza zero, BOM, caratteri di controllo): sono stati tolti, e il valore "
            "letto è quello senza.",
        ),
        FindingType(
            "IMPORTO_ARROTONDATO",
            W,
            MI,
            "importo '{value}' arrotondato al centesimo: {detail}",
            "Un importo con più di due decimali: è arrotondato al centesimo (0,5 centesimi "
            "per eccesso). Un importo diverso da zero che arrotondato darebbe 0,00 € non è "
            "leggibile (IMPORTO_NON_LEGGIBILE).",
        ),
        # ---- validation (conciliare_cli/validate)
        FindingType(
            "CAMPO_OBBLIGATORIO_MANCANTE", B, MI, "manca {field}", "Un dato obbligatorio è vuoto."
        ),
        FindingType(
            "CF_NON_VALIDO",
            B,
            MI,
            "codice fiscale non valido: '{value}' ({detail})",
            "Il codice fiscale non supera il controllo (lunghezza, caratteri, carattere "
            "di controllo).",
        ),
        FindingType(
            "CF_DATA_NASCITA_DIVERSA",
            W,
            MI,
            "la data di nascita {value} non corrisponde al codice fiscale ({detail})",
            "La data di nascita dichiarata non è quella codificata nel codice fiscale.",
        ),
        FindingType(
            "ISEE_NEGATIVO",
            B,
            AP,
            "ISEE negativo: '{value}'",
            "Un ISEE minore di zero è impossibile.",
        ),
        FindingType(
            "IMPORTO_NEGATIVO",
            B,
            MI,
            "importo negativo: '{value}'",
            "Un costo richiesto minore di zero è impossibile.",
        ),
        FindingType(
            "NASCITA_FUTURA",
            B,
            MI,
            "data di nascita nel futuro: {value}",
            "La data di nascita è successiva alla data di riferimento del bando.",
        ),
        FindingType(
            "DATA_PRESENTAZIONE_IMPLAUSIBILE",
            B,
            AP,
            "data di presentazione implausibile: {value} ({detail})",
            "La data di presentazione è lontana dalla finestra del bando (oltre un anno prima "
            "o dopo) o successiva al giorno dell'elaborazione: va verificata con il "
            "richiedente; la domanda resta da regolarizzare, non è esclusa.",
        ),
        FindingType(
            "DATA_SENZA_ORA",
            W,
            AP,
            "data di presentazione senza ora: {value} ({detail})",
            "Una data di presentazione senza l'ora, in un bando che apre o chiude a un'ora del "
            "giorno: nel giorno di apertura o di chiusura l'ora decide, e la domanda resta da "
            "regolarizzare finché non è nota; negli altri giorni è un avviso.",
        ),
        FindingType(
            "MINORE_IN_PIU_DOMANDE",
            W,
            MI,
            "lo stesso minore compare anche in {detail}",
            "Lo stesso minore (codice fiscale) è in più domande, ad esempio dei due "
            "genitori o di due partner: sarà finanziato una sola volta.",
        ),
        FindingType(
            "RICHIEDENTE_DUPLICATO",
            W,
            AP,
            "lo stesso richiedente ha presentato anche {detail}",
            "Lo stesso richiedente ha più domande: vale quella indicata dal bando.",
        ),
        FindingType(
            "MINORE_RIPETUTO_IN_DOMANDA",
            B,
            MI,
            "lo stesso minore è ripetuto nella stessa domanda ({detail})",
            "Lo stesso codice fiscale compare due volte nella stessa domanda.",
        ),
        FindingType(
            "DOMANDA_INCOERENTE",
            W,
            AP,
            "righe della stessa domanda con dati diversi: {detail}",
            "Le righe di una stessa domanda riportano dati del richiedente diversi.",
        ),
        # ---- vouchers in use: providers and invoices (conciliare_cli/spending)
        FindingType(
            "PARTITA_IVA_NON_VALIDA",
            B,
            MI,
            "partita IVA non valida: '{value}' ({detail})",
            "La partita IVA dell'erogatore non supera il controllo (11 cifre, cifra di "
            "controllo): le sue fatture non si possono attribuire finché non è corretta.",
        ),
        FindingType(
            "EROGATORE_RIPETUTO",
            B,
            MI,
            "erogatore ripetuto: la partita IVA {value} è già alla riga {detail}",
            "Lo stesso erogatore (partita IVA) compare due volte nell'elenco: vale la prima "
            "riga, la seconda va tolta o corretta.",
        ),
        FindingType(
            "EROGATORE_NON_IN_ELENCO",
            B,
            MI,
            "la partita IVA '{value}' non è nell'elenco degli erogatori",
            "Una fattura di un erogatore che non è nell'elenco del bando (o con la partita "
            "IVA scritta in modo diverso): non è conteggiata.",
        ),
        FindingType(
            "VOUCHER_NON_TROVATO",
            B,
            MI,
            "nessun voucher per il minore {value} (graduatoria definitiva e scorrimenti)",
            "Il minore della fattura non ha un voucher finanziato né nella graduatoria "
            "definitiva né da uno scorrimento: la spesa non è conteggiata.",
        ),
        FindingType(
            "CODICE_VOUCHER_NON_TROVATO",
            B,
            MI,
            "il codice voucher '{value}' non è di nessun voucher del bando",
            "La fattura indica un codice voucher che non corrisponde a nessun voucher "
            "assegnato (graduatoria definitiva e scorrimenti): la spesa non è conteggiata.",
        ),
        FindingType(
            "VOUCHER_DI_ALTRO_MINORE",
            B,
            MI,
            "il codice voucher '{value}' non è del minore fatturato ({detail})",
            "Il codice voucher della fattura appartiene a un altro minore, non a quello "
            "indicato nella fattura: la spesa non è conteggiata finché l'erogatore non "
            "corregge il codice o il minore.",
        ),
        FindingType(
            "VOUCHER_CESSATO",
            B,
            MI,
            "periodo {value} dopo la fine del voucher ({detail})",
            "Un atto successivo alla graduatoria ha tolto il minore dall'elenco (rinuncia, "
            "revoca o decadenza): il voucher vale fino alla data dell'evento e il servizio, "
            "anche solo in parte, successivo non è conteggiato.",
        ),
        FindingType(
            "SERVIZIO_NON_AMMESSO",
            B,
            MI,
            "servizio '{value}' non ammesso: {detail}",
            "Il servizio fatturato non è tra quelli che il voucher può pagare, o non è tra "
            "quelli dichiarati dall'erogatore nell'elenco: non è conteggiato.",
        ),
        FindingType(
            "FUORI_VALIDITA",
            B,
            MI,
            "periodo {value} fuori dalla validità del voucher ({detail})",
            "Il periodo del servizio è, anche in parte, fuori dalla validità del voucher: "
            "non è conteggiato.",
        ),
        FindingType(
            "PERIODO_INCOERENTE",
            B,
            MI,
            "periodo incoerente: {value}",
            "Il periodo del servizio finisce prima di cominciare: non è conteggiato.",
        ),
        FindingType(
            "IMPORTO_NON_POSITIVO",
            B,
            MI,
            "importo non positivo: '{value}'",
            "Una riga di fattura con importo zero o negativo (una nota di credito va "
            "concordata con l'ufficio): non è conteggiata.",
        ),
        FindingType(
            "FATTURA_DUPLICATA",
            B,
            MI,
            "riga di fattura già presentata: {detail}",
            "La stessa riga (erogatore, numero di fattura, minore, servizio, periodo) compare "
            "più volte: è conteggiata una volta sola, la prima in ordine di file e riga.",
        ),
        FindingType(
            "OLTRE_IMPORTO_VOUCHER",
            B,
            MI,
            "la spesa supera il voucher: {detail}",
            "Con questa riga la spesa del minore supera l'importo del suo voucher: è "
            "conteggiato solo quanto resta del voucher, il resto non è rimborsabile.",
        ),
        FindingType(
            "OLTRE_TARIFFA",
            B,
            MI,
            "oltre la tariffa concordata: {detail}",
            "La riga di fattura ha un prezzo unitario superiore alla tariffa concordata con "
            "l'erogatore per quel servizio (o un importo superiore a quantità × tariffa): è "
            "conteggiata solo la tariffa, il resto non è rimborsabile.",
        ),
        FindingType(
            "FATTURA_NON_PAGATA",
            W,
            MI,
            "fattura senza data di pagamento",
            "Una fattura non ancora pagata: è attribuita al voucher, ma per il FSE si "
            "rendicontano solo le spese pagate (quietanzate).",
        ),
        # ---- rules engine (conciliare_cli/engine)
        FindingType(
            "CRITERIO_NON_CALCOLABILE",
            B,
            AP,
            "manca il dato per calcolare il criterio {detail}",
            "Un criterio di punteggio con 'missing: error' non si può calcolare perché manca "
            "un dato: la domanda è esclusa finché il dato non viene completato.",
        ),
    ]
}

# ---------------------------------------------------------------- reasons of exclusion
#
# An exclusion reason is a code in graduatoria.csv's `exclusion_reasons`. It comes from a rule
# of the call (eligibility: its code, level, message and article), from a blocking finding
# above (its description; the level of its scope), or from the engine itself: these are
# catalogued here, their sentences completed with the call's own policy.

SUPERSEDED = "DOMANDA_SOSTITUITA"
MINOR_ELSEWHERE = "MINORE_IN_ALTRA_DOMANDA"
MISSING_COST = "COSTO_MANCANTE"
AMOUNT_DATA_MISSING = "IMPORTO_NON_CALCOLABILE"
AMOUNT_OUTSIDE_BANDS = "IMPORTO_FUORI_FASCIA"
BELOW_MINIMUM = "IMPORTO_SOTTO_MINIMO"
CRITERION_MISSING = "CRITERIO_{id}_DATO_MANCANTE"


@dataclass(frozen=True)
class Reason:
    """Why an application or a minor is excluded: a code, what it excludes, the sentence the
    letters and the Esclusi sheet give, the article of the call (if any) and where it comes
    from ('rule', 'finding' or 'engine')."""

    code: str
    level: Level
    sentence: str
    reference: str = ""
    source: str = "engine"


ENGINE_REASONS: dict[str, tuple[Level, str]] = {
    SUPERSEDED: (
        Level.APPLICATION,
        "Il richiedente ha presentato più domande: per il bando vale solo {which}.",
    ),
    MINOR_ELSEWHERE: (
        Level.MINOR,
        "Il minore è compreso anche in un'altra domanda ammessa, {kept}: il voucher per lui è "
        "considerato in quella.",
    ),
    MISSING_COST: (Level.MINOR, "Non è indicato il costo del servizio richiesto per il minore."),
    AMOUNT_DATA_MISSING: (
        Level.MINOR,
        "Manca un dato necessario per calcolare l'importo del voucher del minore.",
    ),
    AMOUNT_OUTSIDE_BANDS: (
        Level.MINOR,
        "Il dato da cui dipende l'importo del voucher non rientra in nessuna delle fasce "
        "previste dal bando.",
    ),
    BELOW_MINIMUM: (
        Level.MINOR,
        "L'importo calcolato per il minore è inferiore al minimo di {minimum} previsto dal "
        "bando: il voucher non è concesso.",
    ),
    CRITERION_MISSING: (
        Level.APPLICATION,  # the ranking unit's level: the minor when ranking.unit is minor
        "Manca il dato necessario per il criterio di punteggio «{label}».",
    ),
}


def criterion_missing_code(criterion_id: str) -> str:
    return CRITERION_MISSING.format(id=criterion_id.upper())


def finding_reasons() -> dict[str, Reason]:
    """Every finding code as a reason: a blocking finding excludes what its scope says."""
    return {
        code: Reason(
            code,
            Level.APPLICATION if t.scope == Scope.APPLICATION else Level.MINOR,
            t.description,
            source="finding",
        )
        for code, t in CATALOGUE.items()
    }


FINDING_COLUMNS = [
    "code",
    "severity",
    "scope",
    "partner_id",
    "source_file",
    "source_sheet",
    "source_row",
    "column",
    "field",
    "value",
    "message",
    "application_id",
    "row_key",
    "resolution",  # '' while open; how it was resolved (a correction, an override) otherwise
]


def message(code: str, **kw: object) -> str:
    """The Italian message of a finding (placeholders missing from kw become empty)."""
    t = CATALOGUE[code]
    values = {"value": "", "column": "", "field": "", "detail": ""}
    values.update({k: "" if v is None else str(v) for k, v in kw.items()})
    return t.template.format(**values)


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})


def make_findings(code: str, rows: pd.DataFrame | None = None, **kw: object) -> pd.DataFrame:
    """Findings of one code, vectorised: one per row of `rows`.

    `rows` holds any of FINDING_COLUMNS (per-row values); `kw` gives constants for the rest.
    The message is built per row from the template with value/column/field/detail.
    """
    t = CATALOGUE[code]
    n = 1 if rows is None else len(rows)
    out = pd.DataFrame(index=range(n))
    for col in FINDING_COLUMNS:
        if rows is not None and col in rows.columns:
            out[col] = rows[col].to_numpy(dtype=object)
        elif col in kw:
            out[col] = kw[col]
        else:
            out[col] = None
    out["code"] = code
    out["severity"] = str(t.severity)
    out["scope"] = str(t.scope)
    if n:
        parts = {
            k: out[k].astype(object).where(out[k].notna(), "").astype(str)
            for k in ("value", "column", "field")
        }
        detail = (
            rows["detail"]
            if rows is not None and "detail" in rows.columns
            else pd.Series([kw.get("detail", "")] * n)
        )
        parts["detail"] = pd.Series(detail.to_numpy(dtype=object)).fillna("").astype(str)
        out["message"] = [
            t.template.format(value=v, column=c, field=f, detail=d)
            for v, c, f, d in zip(
                parts["value"], parts["column"], parts["field"], parts["detail"], strict=True
            )
        ]
    return out[FINDING_COLUMNS]


def sort_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings in a stable order that never depends on the input order.

    By partner, file, sheet, row (as a number), column and code, then by every other column so
    that two identical inputs in any order give the same table. Missing values sort last.
    """
    df = normalise_findings(findings)
    keys = pd.DataFrame(index=df.index)
    order: list[str] = []
    for col in ["partner_id", "source_file", "source_sheet", "source_row", "column", "code"]:
        keys[col] = _key(df[col], numeric=col == "source_row")
        order.append(col)
    for col in FINDING_COLUMNS:
        if col not in order:
            keys[col] = _key(df[col], numeric=False)
            order.append(col)
    ordered = keys.sort_values(order, kind="mergesort", na_position="last").index
    return df.loc[ordered].reset_index(drop=True)


def normalise_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings with exactly FINDING_COLUMNS (missing ones empty), a fresh index."""
    df = findings.copy()
    for col in FINDING_COLUMNS:
        if col not in df.columns:
            df[col] = None
    return df[FINDING_COLUMNS].reset_index(drop=True)


def _key(series: pd.Series, *, numeric: bool) -> pd.Series:
    if numeric:
        return pd.to_numeric(series, errors="coerce").astype("Float64")
    values = series.astype(object)
    return values.where(values.notna(), None).map(
        lambda v: None if v is None else str(v), na_action="ignore"
    )


def open_blocking(findings: pd.DataFrame) -> np.ndarray:
    """Per finding: blocking and not yet resolved (a correction, a confirmation, an override
    on record resolves it)."""
    if findings is None or not len(findings):
        return np.zeros(0 if findings is None else len(findings), dtype=bool)
    blocking = findings["severity"].astype("string").eq(str(Severity.BLOCKING)).fillna(False)
    if "resolution" in findings.columns:
        resolution = findings["resolution"].astype("string").fillna("").str.strip()
        blocking &= resolution.eq("")
    return blocking.to_numpy(dtype=bool)


@dataclass(frozen=True)
class Override:
    """The office decides with blocking findings still open (`rank --definitiva` with an override):
    they are settled on the data as they were read, so the call's rules decide on them, and
    who decided and why is on record (the findings' resolution, the manifest, the Riepilogo
    sheet)."""

    by: str
    reason: str

    def text(self) -> str:
        return f"deroga di {self.by}: {self.reason}"
