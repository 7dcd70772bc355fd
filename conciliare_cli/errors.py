"""User errors: a clear Italian message, exit code 2, no traceback (unless --debug)."""

from __future__ import annotations

import errno


class UserError(Exception):
    """An error the coordinator can fix: bad YAML, unreadable file, wrong mapping.

    The message is Italian and names the file, and where known the sheet, row and column.
    """

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, hint: str | None = None):
        self.message = message
        self.file = file
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.file}: {self.message}" if self.file else self.message
        if self.hint:
            text += f"\n  suggerimento: {self.hint}"
        return text


class ConfigError(UserError):
    """One or more errors in the call's YAML; each line already names file, line and key."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))

    def render(self) -> str:  # the lines carry the file already
        return "\n".join(self.errors)


# Why an operating-system call failed, as the coordinator reads it (errno name -> Italian).
_OS_REASONS = {
    "ENOSPC": "spazio esaurito sul disco",
    "EDQUOT": "spazio a disposizione esaurito (quota)",
    "EROFS": "il disco o la cartella sono in sola lettura",
    "EACCES": "permesso negato",
    "EPERM": "operazione non permessa",
    "EXDEV": "la cartella è su un altro disco rispetto a quella che la contiene "
    "(un punto di montaggio): i file non si possono spostare in un solo passo",
    "ENOTDIR": "una parte del percorso è un file, non una cartella",
    "EISDIR": "è una cartella, non un file",
    "EEXIST": "esiste già un file con questo nome",
    "ENOENT": "il file o la cartella non esiste",
    "EBUSY": "il file è in uso da un altro programma",
    "ETXTBSY": "il file è in uso da un altro programma",
    "EIO": "errore di lettura o scrittura del disco",
    "ENAMETOOLONG": "nome del file troppo lungo",
    "EMFILE": "troppi file aperti",
    "ENFILE": "troppi file aperti",
    "ELOOP": "troppi collegamenti simbolici",
}


def os_error(exc: OSError) -> UserError:
    """An operating-system error (disk full, read-only folder, permission...) as a UserError
    naming the file: the outputs are written whole or not at all, so the previous ones are
    still there."""
    name = errno.errorcode.get(exc.errno or 0, "")
    reason = _OS_REASONS.get(name) or exc.strerror or str(exc)
    where = exc.filename if exc.filename is not None else None
    hint = None
    if name == "EXDEV":
        hint = "indicare con --out una cartella che non sia essa stessa un punto di montaggio"
    elif name in ("ENOSPC", "EDQUOT"):
        hint = "liberare spazio e rilanciare il comando"
    elif name in ("EROFS", "EACCES", "EPERM"):
        hint = "controllare i permessi della cartella, oppure indicare un'altra cartella con --out"
    return UserError(
        f"operazione sui file non riuscita: {reason}; gli esiti già scritti non sono cambiati",
        file=str(where) if where is not None else None,
        hint=hint,
    )


class MappingError(UserError):
    """A partner's file does not have the columns its mapping in bando.yaml names; `fields`
    are the mapped fields whose columns are missing (to point at their lines of bando.yaml)."""

    def __init__(self, message: str, *, fields: list[str], file: str | None = None,
                 hint: str | None = None):  # fmt: skip
        self.fields = fields
        super().__init__(message, file=file, hint=hint)


class UserErrors(UserError):
    """Several user errors found in one run (every partner's files are read before stopping),
    each on its own line."""

    def __init__(self, errors: list[UserError]):
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))

    def render(self) -> str:
        if len(self.errors) == 1:
            return self.errors[0].render()
        return f"{len(self.errors)} problemi nei file dei partner:\n" + "\n".join(
            "- " + e.render().replace("\n", "\n  ") for e in self.errors
        )
