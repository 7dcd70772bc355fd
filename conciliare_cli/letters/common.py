"""What every letter of a run shares: the list it comes from, the sender, the call's texts, the
formal elements of the act (from `acts:` in bando.yaml), the logos and the date.

`ListSource` is the graduatoria the letters come from, read from its manifest.json: PROVVISORIA
or DEFINITIVA, its date and the first characters of the manifest's SHA-256, printed on every
letter and slip so that anyone can tell which list a letter belongs to.
`formal_gaps` lists what the call still lacks for letters a lawyer can rely on; `validate` and
`letters` print it as warnings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conciliare_cli.config import LoadedCall
from conciliare_cli.engine.compile import Rules
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_long, date_short, eur
from conciliare_cli.status import ListStatus

MANIFEST = "manifest.json"
HASH_PREFIX = 12
SIGNATURES = {
    "digital": "Documento firmato digitalmente ai sensi del d.lgs. 82/2005 (Codice "
    "dell'amministrazione digitale).",
    "printed": "Firma autografa sostituita a mezzo stampa ai sensi dell'art. 3, comma 2, "
    "del d.lgs. 39/1993.",
}
DEFAULT_TAR = "Tribunale Amministrativo Regionale competente"
DEFAULT_PROVIDER_NOTE = (
    "Il gestore del servizio conserva questo buono e lo allega alla fattura intestata all'ente "
    "che ha emesso il voucher."
)
DEFAULT_OBSERVATIONS = "entro il termine indicato nel bando, all'ufficio che ha emesso il bando."
IMAGE_TYPES = {"image/png", "image/jpeg", "image/svg+xml", "image/gif"}


@dataclass(frozen=True)
class ListSource:
    """The graduatoria the letters come from (its manifest.json)."""

    status: str  # PROVVISORIA or DEFINITIVA
    list_date: dt.date
    manifest_sha256: str

    @property
    def final(self) -> bool:
        return self.status == ListStatus.FINAL.value

    @property
    def hash_prefix(self) -> str:
        return self.manifest_sha256[:HASH_PREFIX]

    def context(self) -> dict[str, str]:
        return {
            "status": self.status,
            "label": "definitiva" if self.final else "provvisoria",
            "date": date_long(self.list_date),
            "date_short": date_short(self.list_date),
            "hash": self.hash_prefix,
        }

    @classmethod
    def read(cls, out_dir: Path) -> ListSource:
        """The list in `out_dir` (its manifest.json); a UserError when there is none."""
        path = out_dir / MANIFEST
        if not path.is_file():
            raise UserError(
                f"non trovo la graduatoria ({path} non esiste)",
                hint="le lettere si scrivono dopo 'conciliare rank' (provvisoria) o "
                "'conciliare rank --definitiva' (definitiva)",
            )
        raw = path.read_bytes()
        try:
            data = json.loads(raw.decode("utf-8"))
            status = ListStatus.check(str(data["status"]))
            run_date = dt.date.fromisoformat(str(data["run_date"]))
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise UserError(
                "il manifest della graduatoria non è leggibile", file=str(path)
            ) from exc
        return cls(status, run_date, hashlib.sha256(raw).hexdigest())


def logo_files(call: LoadedCall) -> list[Path]:
    """The logos named in letters.logos (relative to the call folder), checked."""
    letters = call.config.letters
    out: list[Path] = []
    for name in letters.logos if letters is not None else []:
        path = (call.folder / name).resolve()
        if not path.is_file():
            raise UserError(
                f"il logo '{name}' indicato in letters.logos non esiste",
                file=str(call.path),
                hint=f"il percorso è relativo alla cartella del bando: {call.folder}",
            )
        if (mimetypes.guess_type(path.name)[0] or "") not in IMAGE_TYPES:
            raise UserError(
                f"il logo '{name}' non è un'immagine PNG, JPEG, GIF o SVG", file=str(call.path)
            )
        out.append(path)
    return out


def _act(call: LoadedCall, run_date: dt.date, protocol: str | None) -> dict[str, str]:
    cfg = call.config
    acts = cfg.acts
    place = acts.place or ""
    return {
        "officer": acts.responsible_officer or "",
        "signatory": acts.signatory_name or "",
        "role": acts.signatory_role or cfg.call.lead_partner.signatory or "",
        "signature_statement": SIGNATURES.get(acts.signature or "", ""),
        "tar": acts.tar or DEFAULT_TAR,
        "appeal_days": str(acts.appeal_days),
        "extraordinary_days": str(acts.extraordinary_appeal_days),
        "protocol": protocol if protocol is not None else acts.protocol or "",
        "place_date": f"{place}, {date_long(run_date)}" if place else date_long(run_date),
    }


def common_context(
    rules: Rules, run_date: dt.date, logos: list[str], protocol: str | None = None
) -> dict[str, Any]:
    """What every letter shares: sender, call, texts, the act's formal elements, logos, date."""
    call = rules.call
    cfg = call.config
    letters = cfg.letters
    if letters is None:
        raise UserError(
            "manca la sezione 'letters' (testi delle lettere)",
            file=str(call.path),
            hint="copiala dal modello rules/conciliare-2017.yaml e adattala al bando",
        )
    lp = cfg.call.lead_partner
    sender = {
        key: getattr(lp, key) or ""
        for key in ("name", "office", "address", "city", "email", "pec", "phone")
    }
    texts = {
        "services": letters.services,
        "validity": letters.validity,
        "how_to_use": letters.how_to_use,
        "renounce": letters.renounce,
        "review": letters.review,
        "observations": letters.observations or DEFAULT_OBSERVATIONS,
        "provider_note": letters.provider_note or DEFAULT_PROVIDER_NOTE,
        "fse_statement": letters.fse_statement or "",
        "privacy": cfg.acts.privacy_notice or "",
    }
    return {
        "sender": sender,
        "call": {
            "title": cfg.call.title,
            "year": str(cfg.call.year),
            "cap": eur(rules.voucher.cap_cents),
        },
        "texts": texts,
        "act": _act(call, run_date, protocol),
        "logos": logos,
        "date": date_long(run_date),
    }


def formal_gaps(call: LoadedCall) -> list[str]:
    """What the call still lacks for letters that hold (Italian warnings, one per gap)."""
    cfg = call.config
    acts = cfg.acts
    gaps = []
    checks = [
        (acts.responsible_officer, "acts.responsible_officer (responsabile del procedimento)"),
        (acts.signatory_name, "acts.signatory_name (nome di chi firma)"),
        (acts.signature, "acts.signature (firma digitale o a mezzo stampa)"),
        (acts.tar, "acts.tar (la sede del TAR competente)"),
        (acts.privacy_notice, "acts.privacy_notice (dove si legge l'informativa privacy)"),
        (acts.protocol, "acts.protocol (numero di protocollo, o --protocollo per 'letters')"),
        (acts.place, "acts.place (luogo accanto alla data)"),
    ]
    for value, what in checks:
        if not value:
            gaps.append(f"bando.yaml: manca {what}: le lettere ne sono prive")
    letters = cfg.letters
    if letters is not None:
        if not letters.observations:
            gaps.append(
                "bando.yaml: manca letters.observations (termine e canale per le osservazioni "
                "alla graduatoria provvisoria)"
            )
        if letters.fse_statement and not letters.logos:
            gaps.append(
                "bando.yaml: letters.logos è vuoto: le comunicazioni cofinanziate dal FSE "
                "devono riportare gli emblemi"
            )
        placeholders = [n for n in letters.logos if _looks_placeholder(n)]
        if placeholders:
            gaps.append(
                "bando.yaml: letters.logos contiene ancora loghi segnaposto: "
                + ", ".join(placeholders)
            )
        if letters.appeal:
            gaps.append(
                "bando.yaml: letters.appeal non è più usato: il TAR e i termini dei ricorsi "
                "sono in acts.tar, acts.appeal_days e acts.extraordinary_appeal_days"
            )
    return gaps


def _looks_placeholder(name: str) -> bool:
    stem = Path(name).stem.lower()
    return any(word in stem for word in ("segnaposto", "placeholder", "esempio", "example"))
