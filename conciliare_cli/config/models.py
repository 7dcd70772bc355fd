"""The call's YAML (bando.yaml), as strict pydantic models.

Unknown or misplaced keys are errors (extra="forbid"). Field descriptions are Italian: they
become the JSON Schema that editors show while a coordinator types.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import Field, field_validator, model_validator
from pydantic.fields import FieldInfo

from conciliare_cli.config import limits
from conciliare_cli.config.annexes import NamedList
from conciliare_cli.config.spending_models import Spending
from conciliare_cli.config.strict import (
    CallDate,
    CallDatetime,
    Expression,
    Identifier,
    Money,
    Number,
    Points,
    Strict,
    check_bands,
)
from conciliare_cli.config.voucher import Voucher
from conciliare_cli.fields import CANONICAL_FIELDS, Kind, Level

# ---------------------------------------------------------------- call data


class Submission(Strict):
    opens: CallDatetime = Field(
        description="Apertura delle domande (data e ora), es. 2017-06-01 09:00"
    )
    closes: CallDatetime = Field(
        description="Chiusura delle domande (data e ora), es. 2017-07-31 12:00"
    )
    granularity: Literal["second", "minute"] = Field(
        "second",
        description="Come il bando conta l'ora di presentazione, ovunque (finestra, domande "
        "ripetute, parità): second, al secondo; minute, al minuto (i secondi non contano: "
        "alle 12:00:59 si è ancora nelle 12:00)",
    )

    @model_validator(mode="after")
    def _order(self) -> Submission:
        if self.closes <= self.opens:
            raise ValueError("la chiusura deve essere successiva all'apertura")
        return self


class Office(Strict):
    name: str = Field(description="Ente capofila che firma le lettere")
    office: str | None = Field(None, description="Ufficio responsabile")
    address: str | None = Field(None, description="Indirizzo")
    city: str | None = Field(None, description="CAP, città e provincia")
    email: str | None = Field(None, description="E-mail")
    pec: str | None = Field(None, description="PEC")
    phone: str | None = Field(None, description="Telefono")
    signatory: str | None = Field(None, description="Chi firma (nome e qualifica)")


class CallInfo(Strict):
    title: str = Field(description="Titolo del bando")
    year: int = Field(ge=2000, le=2100, description="Anno del bando")
    rules_version: str = Field(description="Versione delle regole, es. 2017.1")
    reference_date: CallDate = Field(description="Data di riferimento per l'età dei minori")
    submission: Submission = Field(description="Finestra di presentazione delle domande")
    lead_partner: Office = Field(description="Ente capofila (mittente delle lettere)")
    protocol_prefix: str | None = Field(
        None, description="Prefisso del numero di riferimento delle lettere"
    )
    id_secret: str | None = Field(
        None,
        min_length=16,
        description="Segreto con cui si ricava il codice delle domande senza protocollo "
        "(almeno 16 caratteri; da non cambiare durante il bando)",
    )
    previous_edition: str | None = Field(
        None,
        description="Cartella del bando dell'edizione precedente (scritta da init --da): "
        "validate avvisa se seme o date sono rimasti uguali",
    )


class ExtraField(Strict):
    name: Identifier
    kind: Kind = Field(description="Tipo di dato")
    level: Level = Field(Level.APPLICATION, description="Dato della domanda o del minore")
    label: str = Field(description="Etichetta italiana del campo")
    health: bool = Field(False, description="Dato sanitario: mai nelle uscite pubbliche")

    @field_validator("name")
    @classmethod
    def _not_canonical(cls, v: str) -> str:
        if v in CANONICAL_FIELDS:
            raise ValueError(f"'{v}' è già un campo standard: non va dichiarato")
        return v


# ---------------------------------------------------------------- partners


PartnerId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$",
        description="Codice breve del partner, es. ASST o ASST-CREMA: lettere, cifre, _ e - "
        "(non in fondo)",
    ),
]
NotDeclared = Annotated[
    list[Annotated[str, Field(min_length=1)]],
    Field(
        description='Parole che nei file significano "dato non dichiarato" (es. "non '
        'presentato", "in attesa"): lette come dato mancante, con un avviso',
    ),
]


class PartnerConfig(Strict):
    id: PartnerId
    name: str = Field(description="Nome dell'ente partner")
    files: str | list[str] = Field(
        description="File del partner, relativi alla cartella del bando (ammessi * e ?)"
    )
    sheet: str | None = Field(None, description="Foglio da leggere; se assente è cercato")
    header_row: int | None = Field(
        None,
        ge=1,
        le=limits.MAX_HEADER_ROW,
        description="Riga dell'intestazione come la mostra Excel; se assente è cercata",
    )
    columns: dict[str, str | list[str]] = Field(
        description=(
            "Campo → intestazione della colonna. Con {n} per i gruppi numerati dei figli "
            '("CF figlio {n}"); una lista unisce più colonne (data e ora).'
        )
    )
    encoding: str | None = Field(None, description="Solo CSV: codifica, se non va rilevata")
    delimiter: str | None = Field(None, description="Solo CSV: separatore, se non va rilevato")
    not_declared: NotDeclared = Field(
        default_factory=list,
        description="Altre parole per questo partner (oltre a quelle del bando)",
    )

    @field_validator("columns")
    @classmethod
    def _headers_not_empty(cls, v: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for key, header in v.items():
            headers = header if isinstance(header, list) else [header]
            if not headers or any(not str(h).strip() for h in headers):
                raise ValueError(f"intestazione vuota per il campo '{key}'")
        return v

    @field_validator("encoding")
    @classmethod
    def _text_encoding(cls, v: str | None) -> str | None:
        return None if v is None else limits.text_encoding(v)

    @property
    def file_patterns(self) -> list[str]:
        return [self.files] if isinstance(self.files, str) else list(self.files)

    @property
    def per_application(self) -> bool:
        """True when minors come in numbered groups of columns (Figlio 1, Figlio 2, ...)."""
        return any("{n}" in h for hs in self.columns.values() for h in _as_list(hs))


def _as_list(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else v


# ---------------------------------------------------------------- eligibility


class EligibilityRule(Strict):
    code: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$", description="Codice del motivo, es. FUORI_TERMINE"
    )
    level: Level = Field(description="application: esclude la domanda; minor: esclude il minore")
    require: Expression = Field(description="Condizione che deve essere vera per essere ammessi")
    message: str = Field(description="Frase italiana usata nelle lettere e nel foglio Esclusi")
    reference: str | None = Field(None, description="Articolo del bando, es. art. 4")
    label: str | None = Field(
        None,
        description="Il requisito in parole, es. ISEE non superiore a 35.000 euro (foglio "
        "Criteri); se assente è scritto dalla condizione",
    )
    on_missing: Literal["exclude", "admit"] = Field(
        "exclude",
        description="Se un dato manca e la condizione non si può valutare: exclude o admit",
    )


# ---------------------------------------------------------------- criteria


class CriterionModel(Strict):
    """What every kind of criterion has; each kind adds its `type` and parameters."""

    id: Identifier = Field(description="Identificativo del criterio (colonna nelle uscite)")
    label: str = Field(description="Descrizione italiana del criterio")
    short_label: str | None = Field(
        None,
        description="Intestazione breve della sua colonna in graduatoria.xlsx, es. Disabilità "
        "(predefinita: label)",
    )
    reference: str | None = Field(None, description="Articolo del bando")
    max_points: Points | None = Field(None, ge=0, description="Tetto di punti del criterio")
    sensitive: bool = Field(False, description="Rivela dati sanitari: mai nelle uscite pubbliche")


class FlagCriterion(CriterionModel):
    type: Literal["flag"] = Field(description="Tipo di criterio")
    condition: Expression = Field(description="Condizione a livello di domanda")
    points: Points = Field(description="Punti se la condizione è vera")
    missing: Literal["zero", "exclude", "error"] = Field(
        "zero", description="Dato mancante: zero punti, esclusione o errore"
    )


class Band(Strict):
    min: Number | None = Field(None, description="Da (incluso); assente = nessun minimo")
    max: Number | None = Field(None, description="A (incluso); assente = nessun massimo")
    points: Points = Field(description="Punti della fascia")


class BandsCriterion(CriterionModel):
    type: Literal["bands"] = Field(description="Tipo di criterio")
    field: str = Field(description="Campo numerico a livello di domanda, es. isee")
    bands: list[Band] = Field(min_length=1)
    missing: Literal["zero", "exclude", "error"] | Points = Field(
        "zero", description="Valore mancante: zero punti, esclusione, errore, o un punteggio"
    )

    @model_validator(mode="after")
    def _bands_ordered(self) -> BandsCriterion:
        check_bands(self.bands)
        return self


class MapCriterion(CriterionModel):
    type: Literal["map"] = Field(description="Tipo di criterio")
    field: str = Field(description="Campo di categoria (testo)")
    map: dict[str, Points] = Field(description="Valore → punti (maiuscole/minuscole ignorate)")
    default: Points = Field(Decimal(0), description="Punti per un valore non elencato")
    missing: Literal["zero", "exclude", "error"] = Field(
        "zero", description="Dato mancante: zero punti, esclusione o errore"
    )


class CountCriterion(CriterionModel):
    type: Literal["count"] = Field(description="Tipo di criterio")
    condition: Expression = Field(description="Condizione sul minore, es. disability")
    points: Points = Field(description="Punti per ogni minore ammissibile che la soddisfa")
    missing: Literal["zero", "exclude", "error"] = Field(
        "zero", description="Dato mancante: zero punti, esclusione o errore"
    )


class SumCriterion(CriterionModel):
    type: Literal["sum"] = Field(description="Tipo di criterio")
    field: str = Field(description="Campo numerico del minore da sommare")
    points: Points = Field(description="Punti per unità del campo")
    condition: Expression | None = None
    missing: Literal["zero", "exclude", "error"] = Field(
        "zero", description="Dato mancante: zero punti, esclusione o errore"
    )


# The kinds of criterion, by their YAML `type`. Each has its home in
# conciliare_cli/engine/criteria/<type>.py (checks, compilation, scoring, words).
CRITERION_MODELS: list[type[CriterionModel]] = [
    FlagCriterion,
    BandsCriterion,
    MapCriterion,
    CountCriterion,
    SumCriterion,
]


def _criterion_union() -> Any:
    return Annotated[Union[tuple(CRITERION_MODELS)], Field(discriminator="type")]  # noqa: UP007


Criterion = _criterion_union()


# ---------------------------------------------------------------- ranking


class TieBreaker(Strict):
    field: str = Field(description="Campo a livello di domanda, es. isee o submitted_at")
    order: Literal["asc", "desc"] = Field("asc", description="asc: prima il valore minore")
    missing: Literal["last", "first"] = Field(
        "last", description="Valori mancanti in fondo (last) o in testa (first)"
    )
    label: str | None = Field(None, description="Descrizione italiana, es. ISEE più basso")


class Lottery(Strict):
    seed: str = Field(min_length=1, description="Seme pubblicato del sorteggio finale")
    key: str | None = Field(
        None,
        description="Testo di ogni domanda che si sorteggia: application_id (il protocollo "
        "con il codice del partner, il predefinito), protocol (il numero del partner), "
        "applicant_tax_code o un altro campo di testo; con la graduatoria per minore il "
        "predefinito è l'identificativo del minore",
    )
    text: str = Field(
        "{seed}:{key}",
        description="Il testo di cui si calcola l'impronta SHA-256 (UTF-8): {seed} è il seme, "
        "{key} il testo della domanda",
    )
    order: Literal["asc", "desc"] = Field(
        "asc",
        description="asc: prima l'impronta minore (in esadecimale minuscolo); desc: la maggiore",
    )

    @field_validator("text")
    @classmethod
    def _has_seed_and_key(cls, v: str) -> str:
        if v.count("{key}") != 1 or v.count("{seed}") != 1:
            raise ValueError("il testo deve contenere una volta {seed} e una volta {key}")
        return v


class Duplicates(Strict):
    applicant: Literal["first", "last"] = Field(
        "last", description="Stesso richiedente più volte: vale la prima o l'ultima domanda"
    )
    applicant_among: Literal["all", "in_window", "admitted"] = Field(
        "in_window",
        description="Quali domande dello stesso richiedente si confrontano: all (tutte), "
        "in_window (solo quelle presentate nei termini: una domanda tardiva non ne sostituisce "
        "una nei termini), admitted (solo quelle non escluse per altri motivi)",
    )
    minor: Literal["earlier", "higher_score"] = Field(
        "earlier",
        description="Stesso minore in due domande: lo tiene la domanda precedente o quella con "
        "punteggio più alto",
    )
    ties: Literal["lottery", "application_id"] = Field(
        "lottery",
        description="A pari ora di presentazione decide il sorteggio del bando (lottery) o il "
        "protocollo in ordine alfabetico (application_id)",
    )


class Ranking(Strict):
    unit: Literal["application", "minor"] = Field(
        "application", description="Si ordina per domanda (application) o per minore (minor)"
    )
    tie_breakers: list[TieBreaker] = Field(
        default_factory=list, description="Criteri di parità, in ordine"
    )
    lottery: Lottery = Field(description="Sorteggio finale")


# ---------------------------------------------------------------- money


class Fund(Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", description="Codice del fondo, es. FSE")
    name: str = Field(description="Nome del fondo")
    amount_eur: Money = Field(description="Dotazione in euro")
    condition: Expression | None = Field(
        None, description="Solo chi la soddisfa è pagato da questo fondo"
    )


class Reserve(Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", description="Codice della riserva")
    description: str = Field(description="Descrizione italiana")
    fund: str = Field(description="Fondo da cui è riservata la quota")
    amount_eur: Money | None = Field(None, description="Importo riservato in euro")
    share: Decimal | None = Field(None, gt=0, le=1, description="Quota del fondo (0-1)")
    condition: Expression = Field(description="Chi può usare la riserva, es. any(disability)")

    @model_validator(mode="after")
    def _one_of(self) -> Reserve:
        if (self.amount_eur is None) == (self.share is None):
            raise ValueError("indicare amount_eur oppure share (uno solo dei due)")
        return self


class Allocation(Strict):
    when_not_fitting: Literal["partial", "skip", "stop"] = Field(
        "partial",
        description="Prima domanda che non entra: partial (riceve il residuo), skip (passa "
        "alla successiva che entra), stop (ci si ferma)",
    )
    split_between_funds: bool = Field(True, description="Un voucher può essere pagato da due fondi")


# ---------------------------------------------------------------- istruttoria


class Istruttoria(Strict):
    corrections: str = Field(
        "correzioni.xlsx",
        description="File delle correzioni (soccorso istruttorio) nella cartella del bando: "
        "le risposte dei richiedenti, applicate sopra i dati dei partner",
    )


class Checks(Strict):
    """The sample of self-declarations to check (DPR 445/2000 art. 71, `conciliare controlli`).

    A share or a number of the applications funded in the final list, overall or per partner,
    drawn with a published seed: the keys SHA-256("<seed>:<application id>"), the smallest
    first."""

    share: Decimal | None = Field(
        None, gt=0, le=1, description="Quota delle domande finanziate da controllare (0-1)"
    )
    number: int | None = Field(None, ge=1, description="Numero di domande da controllare")
    per_partner: bool = Field(False, description="Campione estratto per ciascun ente partner")
    seed: str = Field(min_length=1, description="Seme pubblicato dell'estrazione del campione")
    reference: str | None = Field(None, description="Riferimento, es. DPR 445/2000 art. 71")

    @model_validator(mode="after")
    def _one_of(self) -> Checks:
        if (self.share is None) == (self.number is None):
            raise ValueError("indicare share oppure number (uno solo dei due)")
        return self


class Acceptance(Strict):
    """The terms after the final list, from the receipt of the final letter (ricevute.csv).

    Whether a family funded must accept its voucher, and the days to accept and to renounce."""

    required: bool = Field(
        False, description="La famiglia deve accettare il voucher (altrimenti decade)"
    )
    days: int | None = Field(
        None, ge=1, le=365, description="Giorni per accettare, dal ricevimento della lettera"
    )
    renunciation_days: int | None = Field(
        None, ge=1, le=365, description="Giorni per rinunciare, dal ricevimento della lettera"
    )
    reference: str | None = Field(None, description="Riferimento, es. art. 9 del bando")

    @model_validator(mode="after")
    def _days_when_required(self) -> Acceptance:
        if self.required and self.days is None:
            raise ValueError("con required: true indicare days (giorni per accettare)")
        return self


# ---------------------------------------------------------------- outputs


class Publication(Strict):
    public_id: Literal["application_id", "pseudonym"] = Field(
        "application_id", description="Identificativo pubblicato: protocollo o codice pseudonimo"
    )
    pseudonym_salt: str | None = Field(None, description="Segreto per i codici pseudonimi")
    columns: list[
        Literal["rank", "public_id", "score", "status", "awarded_eur", "waiting_position"]
    ] = Field(
        default_factory=lambda: [
            "rank",
            "public_id",
            "score",
            "status",
            "awarded_eur",
            "waiting_position",
        ],
        description="Colonne della graduatoria pubblica",
    )
    hide_score_when_sensitive: bool = Field(
        True, description="Nasconde il punteggio totale se un criterio è sensibile"
    )
    act: str | None = Field(
        None,
        description="Atto che approva la graduatoria, es. Determina n. 412 del 15/09/2017 "
        "(intestazione delle pagine e graduatoria pubblica)",
    )
    signature: list[str] = Field(
        default_factory=list,
        description="Righe del blocco firma della graduatoria (predefinito: call.lead_partner."
        "signatory)",
    )
    observations_days: int | None = Field(
        None,
        ge=1,
        le=365,
        description="Giorni per le osservazioni alla graduatoria provvisoria, dalla data di "
        "pubblicazione",
    )

    @model_validator(mode="after")
    def _salt_for_pseudonyms(self) -> Publication:
        if self.public_id == "pseudonym" and not (self.pseudonym_salt or "").strip():
            raise ValueError(
                "con public_id: pseudonym serve pseudonym_salt (un segreto, es. una frase lunga)"
            )
        return self


class Letters(Strict):
    services: str = Field(description="Servizi che il voucher può pagare")
    validity: str = Field(description="Periodo di validità del voucher")
    how_to_use: str = Field(description="Come si usa il voucher")
    renounce: str = Field(description="Come e entro quando rinunciare (una frase con il verbo)")
    review: str = Field(description="Richiesta di riesame all'ufficio")
    appeal: str | None = Field(
        None,
        description="Non più usato: il TAR e i termini dei ricorsi sono in acts "
        "(tar, appeal_days, extraordinary_appeal_days)",
    )
    observations: str | None = Field(
        None,
        description="Graduatoria provvisoria: termine e canale per le osservazioni, "
        "es. entro 10 giorni dal ricevimento, con una PEC a ...",
    )
    provider_note: str | None = Field(
        None, description="Sul buono: che cosa fa il gestore del servizio con il buono"
    )
    fse_statement: str | None = Field(None, description="Dicitura di cofinanziamento FSE")
    logos: list[str] = Field(default_factory=list, description="Immagini dei loghi (file)")
    signature: str | None = Field(None, description="Non più usato: vedi acts.signatory_name")


class Acts(Strict):
    """The formal elements of the letters: the provisional communication and the act."""

    place: str | None = Field(None, description="Luogo accanto alla data, es. Crema")
    responsible_officer: str | None = Field(
        None, description="Responsabile del procedimento (L. 241/1990 art. 5), es. dott.ssa ..."
    )
    signatory_name: str | None = Field(None, description="Nome di chi firma le lettere")
    signatory_role: str | None = Field(
        None, description="Qualifica di chi firma (altrimenti call.lead_partner.signatory)"
    )
    signature: Literal["digital", "printed"] | None = Field(
        None,
        description="Firma: digital (firma digitale, d.lgs. 82/2005) o printed (firma "
        "autografa sostituita a mezzo stampa, art. 3 c. 2 d.lgs. 39/1993)",
    )
    tar: str | None = Field(
        None,
        description="TAR competente, es. Tribunale Amministrativo Regionale per la "
        "Lombardia, sezione staccata di Brescia",
    )
    appeal_days: int = Field(60, ge=1, description="Giorni per il ricorso al TAR")
    extraordinary_appeal_days: int = Field(
        120, ge=1, description="Giorni per il ricorso straordinario al Presidente della Repubblica"
    )
    privacy_notice: str | None = Field(
        None, description="Dove si legge l'informativa sul trattamento dei dati (art. 13 GDPR)"
    )
    protocol: str | None = Field(
        None, description="Numero di protocollo delle lettere (o 'vedi segnatura')"
    )


# ---------------------------------------------------------------- the call


class CallConfig(Strict):
    schema_version: Literal[1] = Field(1, description="Versione del formato di questo file")
    call: CallInfo = Field(description="Dati generali del bando")
    fields: list[ExtraField] = Field(default_factory=list, description="Campi aggiuntivi")
    partners: list[PartnerConfig] = Field(
        default_factory=list, description="Enti partner e colonne dei loro file"
    )
    not_declared: NotDeclared = Field(default_factory=list)
    lists: list[NamedList] = Field(
        default_factory=list,
        description="Elenchi tenuti in altri file (beneficiari dell'anno prima, enti accreditati)",
    )
    eligibility: list[EligibilityRule] = Field(
        default_factory=list, description="Requisiti di ammissione"
    )
    criteria: list[Criterion] = Field(default_factory=list, description="Criteri di punteggio")
    ranking: Ranking = Field(description="Unità di graduatoria, criteri di parità, sorteggio")
    duplicates: Duplicates = Field(Duplicates(), description="Domande e minori ripetuti")
    istruttoria: Istruttoria = Field(
        Istruttoria(), description="Istruttoria: il file delle correzioni"
    )
    voucher: Voucher = Field(description="Importo del voucher per minore")
    funds: list[Fund] = Field(min_length=1, description="Fondi, nell'ordine in cui si usano")
    reserves: list[Reserve] = Field(default_factory=list, description="Quote riservate")
    allocation: Allocation = Field(Allocation(), description="Regole di assegnazione")
    publication: Publication = Field(Publication(), description="Graduatoria pubblica")
    letters: Letters | None = Field(None, description="Testi delle lettere alle famiglie")
    checks: Checks | None = Field(
        None, description="Controlli a campione sulle dichiarazioni (conciliare controlli)"
    )
    acceptance: Acceptance | None = Field(
        None,
        description="Dopo la graduatoria definitiva: accettazione richiesta e termini per "
        "accettare e rinunciare (conciliare situazione, scorrimento)",
    )
    acts: Acts = Field(Acts(), description="Elementi formali delle lettere e del provvedimento")
    spending: Spending | None = Field(
        None, description="Voucher in uso: erogatori, fatture, validità e servizi"
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> CallConfig:
        for what, ids in [
            ("partner", [p.id for p in self.partners]),
            ("criterio", [c.id for c in self.criteria]),
            ("fondo", [f.id for f in self.funds]),
            ("riserva", [r.id for r in self.reserves]),
            ("campo", [f.name for f in self.fields]),
            ("elenco", [x.name for x in self.lists]),
        ]:
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"{what} ripetuto: {', '.join(dup)}")
        fund_ids = {f.id for f in self.funds}
        for r in self.reserves:
            if r.fund not in fund_ids:
                raise ValueError(f"la riserva {r.id} cita il fondo '{r.fund}' che non esiste")
        return self


def register_criterion_model(model: type[CriterionModel]) -> None:
    """Admit a new kind of criterion in bando.yaml (its model's `type` is the YAML key).

    The shipped kinds are listed above; this is for a kind added at run time (the tests add a
    made-up one). The engine's side is registered with engine.criteria.register."""
    if model not in CRITERION_MODELS:
        CRITERION_MODELS.append(model)
    rebuild_criteria()


def rebuild_criteria() -> None:
    """Rebuild the models after CRITERION_MODELS changed."""
    CallConfig.model_fields["criteria"] = FieldInfo.from_annotated_attribute(
        list[_criterion_union()],  # type: ignore[misc]
        Field(default_factory=list, description="Criteri di punteggio"),
    )
    CallConfig.model_rebuild(force=True)
