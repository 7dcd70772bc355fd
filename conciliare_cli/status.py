"""One word per thing: the outcome of an application or a minor, and the kind of a list.

`Status` is the outcome (its value is the code written in graduatoria.csv and the manifest);
each member carries every Italian label the outputs use, so a label is defined once:

- `label`: the lists and the summaries ("Finanziata parzialmente");
- `heading`: `explain` ("FINANZIATA PARZIALMENTE");
- `public_label`: the public list ("Non ammessa" for an excluded application, never why);
- `letter_label`: the letter's object line ("domanda finanziata parzialmente");
- `minor_label(feminine)`: a child's outcome in a letter ("finanziato" / "finanziata").

DA_REGOLARIZZARE is the outcome of an application with an open blocking finding (a defect in
the data to put to the applicant first, *soccorso istruttorio*): it is neither excluded nor
ranked until the finding is resolved (a correction, a confirmation, or an override on record).

`ListStatus` is the kind of a graduatoria: PROVVISORIA or DEFINITIVA.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd


@dataclass(frozen=True)
class _Labels:
    label: str
    heading: str
    public: str
    letter: str
    minor_m: str
    minor_f: str


class Status(StrEnum):
    """Outcome of an application (or ranking unit) and of each of its minors."""

    FUNDED = "FINANZIATA"
    PARTIAL = "FINANZIATA_PARZIALMENTE"
    WAITING = "AMMESSA_NON_FINANZIATA"
    TO_REGULARISE = "DA_REGOLARIZZARE"  # an open blocking finding: not decided, not ranked
    EXCLUDED = "ESCLUSA"

    @property
    def _labels(self) -> _Labels:
        return _LABELS[self]

    @property
    def label(self) -> str:
        return self._labels.label

    @property
    def heading(self) -> str:
        return self._labels.heading

    @property
    def public_label(self) -> str:
        return self._labels.public

    @property
    def letter_label(self) -> str:
        return self._labels.letter

    def minor_label(self, feminine: bool = False) -> str:
        return self._labels.minor_f if feminine else self._labels.minor_m

    @property
    def admitted(self) -> bool:
        """In the graduatoria (funded, partly funded or waiting)."""
        return self in (Status.FUNDED, Status.PARTIAL, Status.WAITING)

    @property
    def paid(self) -> bool:
        return self in (Status.FUNDED, Status.PARTIAL)

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The codes in the order of the outputs (best outcome first)."""
        return tuple(s.value for s in cls)

    @classmethod
    def of(cls, code: object) -> Status | None:
        """The member of a code, None for anything else."""
        try:
            return cls(str(code))
        except ValueError:
            return None


_LABELS: dict[Status, _Labels] = {
    Status.FUNDED: _Labels(
        "Finanziata",
        "FINANZIATA",
        "Finanziata",
        "domanda finanziata",
        "finanziato",
        "finanziata",
    ),
    Status.PARTIAL: _Labels(
        "Finanziata parzialmente",
        "FINANZIATA PARZIALMENTE",
        "Finanziata parzialmente",
        "domanda finanziata parzialmente",
        "finanziato in parte",
        "finanziata in parte",
    ),
    Status.WAITING: _Labels(
        "Ammessa non finanziata (in attesa)",
        "AMMESSA NON FINANZIATA (in lista d'attesa)",
        "Ammessa non finanziata (in attesa)",
        "domanda ammessa non finanziata (lista d'attesa)",
        "in lista d'attesa",
        "in lista d'attesa",
    ),
    Status.TO_REGULARISE: _Labels(
        "Da regolarizzare",
        "DA REGOLARIZZARE (istruttoria in corso: non ancora in graduatoria)",
        "In istruttoria",
        "domanda in istruttoria (da regolarizzare)",
        "da regolarizzare",
        "da regolarizzare",
    ),
    Status.EXCLUDED: _Labels(
        "Esclusa",
        "ESCLUSA",
        "Non ammessa",
        "domanda non ammessa",
        "non ammesso",
        "non ammessa",
    ),
}


def status_label(code: object) -> str:
    """'FINANZIATA_PARZIALMENTE' -> 'Finanziata parzialmente'; unknown codes pass through,
    missing ones give ''."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return ""
    status = Status.of(code)
    return status.label if status is not None else str(code)


class ListStatus(StrEnum):
    """The kind of a graduatoria: provisional (observations invited) or final (the decision)."""

    PROVISIONAL = "PROVVISORIA"
    FINAL = "DEFINITIVA"

    @classmethod
    def check(cls, value: str) -> str:
        """`value` when it is PROVVISORIA or DEFINITIVA; ValueError otherwise."""
        if value not in cls.codes():
            raise ValueError(f"status must be one of {cls.codes()}, not {value!r}")
        return value

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        return tuple(s.value for s in cls)
