"""The providers' list: VAT numbers checked, duplicates found, services as keys.

A provider is known by its partita IVA (python-stdnum's it.iva: 11 digits, office code, check
digit; an 'IT' prefix, spaces, dots and dashes are ignored). A row without a valid VAT number,
and the second row of a VAT number already listed, are findings and do not make a provider:
its invoices are then reported as from a provider not in the list.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP

import numpy as np
import pandas as pd
from stdnum import exceptions as stdnum_errors
from stdnum.it import iva

from conciliare_cli.findings import empty_findings, make_findings
from conciliare_cli.read.values import text_to_decimal

SEPARATORS = re.compile(r"[;,|\n/]+")
VAT_ERRORS = {
    stdnum_errors.InvalidLength: "non ha 11 cifre",
    stdnum_errors.InvalidFormat: "contiene caratteri che non sono cifre",
    stdnum_errors.InvalidChecksum: "cifra di controllo errata",
    stdnum_errors.InvalidComponent: "codice dell'ufficio non valido",
}


def vat_key(values: pd.Series) -> pd.Series:
    """VAT numbers as compared: upper case, without 'IT', spaces, dots and dashes (NA kept)."""
    text = values.astype("string").str.upper().str.replace(r"[\s.\-]", "", regex=True)
    return text.str.replace(r"^IT(?=\d)", "", regex=True).replace("", pd.NA)


def vat_problems(keys: pd.Series) -> pd.Series:
    """Per VAT number: '' when valid, else why not (Italian); each distinct number once."""
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    why = np.array([_vat_problem(str(u)) for u in uniques] + [""], dtype=object)
    return pd.Series(why[codes], index=keys.index, dtype=object)


def _vat_problem(number: str) -> str:
    try:
        iva.validate(number)
    except stdnum_errors.ValidationError as exc:
        return next((t for cls, t in VAT_ERRORS.items() if isinstance(exc, cls)), "non valida")
    return ""


def service_key(values: pd.Series) -> pd.Series:
    """A service as compared: lower case, single spaces (NA kept)."""
    text = values.astype("string").str.casefold().str.strip()
    return text.str.replace(r"\s+", " ", regex=True).replace("", pd.NA)


def split_services(values: pd.Series) -> pd.Series:
    """'pre scuola; centro estivo' -> frozenset of service keys, per row."""
    text = values.astype("string").fillna("")
    parts = text.str.split(SEPARATORS, regex=True)
    return parts.map(lambda items: frozenset(k for k in (_key(i) for i in items) if k))


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def check_providers(
    rows: pd.DataFrame, headers: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the valid providers, one per VAT number; the findings of the list, each with the
    provider's VAT number, as written when not valid, in partner_id)."""
    key = vat_key(rows["vat_number"])
    problem = vat_problems(key)
    base = rows.assign(vat=key.astype(object).where(key.notna(), rows["vat_number"]))
    findings = [
        _missing(base, "vat_number", "la partita IVA", headers),
        _missing(base, "provider_name", "il nome dell'erogatore", headers),
        _missing(base, "services", "l'elenco dei servizi", headers),
    ]
    bad = key.notna() & problem.ne("")
    findings.append(
        make_findings(
            "PARTITA_IVA_NON_VALIDA",
            _at(base[bad], "vat_number", headers).assign(
                value=rows.loc[bad, "vat_number"].astype(object).to_numpy(),
                detail=problem[bad].to_numpy(),
            ),
        )
    )
    good = key.notna() & problem.eq("")
    repeated = good & key.duplicated(keep="first")
    first_row = base[good].groupby("vat", sort=False)["source_row"].transform("first")
    findings.append(
        make_findings(
            "EROGATORE_RIPETUTO",
            _at(base[repeated], "vat_number", headers).assign(
                value=key[repeated].astype(object).to_numpy(),
                detail=first_row[repeated].astype(object).to_numpy(),
            ),
        )
    )
    kept = base[good & ~repeated].copy()
    kept["service_set"] = split_services(kept["services"])
    kept["provider"] = kept["vat"].astype(object)
    kept["tariff_map"], unreadable = agreed_tariffs(kept)
    findings.append(
        make_findings(
            "IMPORTO_NON_LEGGIBILE",
            _at(kept.iloc[[i for i, _t in unreadable]], "tariffs", headers).assign(
                value=[t for _i, t in unreadable],
                detail="scrivere «servizio: importo», separati da ;",
            ),
        )
    )
    found = [f for f in findings if len(f)]
    out = pd.concat(found, ignore_index=True) if found else empty_findings()
    return kept.reset_index(drop=True), out


def _at(rows: pd.DataFrame, field: str, headers: dict[str, str]) -> pd.DataFrame:
    """Where a finding on `field` of these rows is, and whose it is (partner_id: the VAT)."""
    return pd.DataFrame(
        {
            "partner_id": rows["vat"].astype(object).fillna("(senza partita IVA)").to_numpy(),
            "source_file": rows["source_file"].astype(object).to_numpy(),
            "source_sheet": rows["source_sheet"].astype(object).to_numpy(),
            "source_row": rows["source_row"].astype(object).to_numpy(),
            "column": headers.get(field, field),
            "field": field,
        }
    )


def _missing(rows: pd.DataFrame, column: str, label: str, headers: dict[str, str]) -> pd.DataFrame:
    empty = rows[column].isna()
    return make_findings(
        "CAMPO_OBBLIGATORIO_MANCANTE", _at(rows[empty], column, headers).assign(field=label)
    )


TARIFF_PAIRS = re.compile(r"[;|\n]+")


def agreed_tariffs(rows: pd.DataFrame) -> tuple[list[dict[str, int]], list[tuple[int, str]]]:
    """Per provider, its agreed tariff (cents, for one unit of service) per service key: the
    `tariffs` column ('Pre e post scuola: 4,50; Centro estivo: 85,00') and, for its other
    services, `tariff_eur` (one tariff for all). And the pairs that cannot be read, as
    (position of the row, text)."""
    out, unreadable = [], []
    single = rows["tariff_eur"] if "tariff_eur" in rows else pd.Series(pd.NA, index=rows.index)
    texts = rows["tariffs"] if "tariffs" in rows else pd.Series(pd.NA, index=rows.index)
    for i, (services, one, text) in enumerate(zip(rows["service_set"], single, texts, strict=True)):
        tariffs = {k: int(one) for k in services} if pd.notna(one) else {}
        for pair in TARIFF_PAIRS.split("" if pd.isna(text) else str(text)):
            if not pair.strip():
                continue
            service, _sep, amount = pair.rpartition(":")
            cents = _cents(amount)
            if not service.strip() or cents is None:
                unreadable.append((i, pair.strip()))
                continue
            tariffs[_key(service)] = cents
        out.append(tariffs)
    return out, unreadable


def _cents(text: str) -> int | None:
    value = text_to_decimal(text.replace("€", "").strip())
    if value is None or value <= 0:
        return None
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))
