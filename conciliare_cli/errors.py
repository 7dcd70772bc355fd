"""User errors: a clear Italian message, exit code 2, no traceback (unless --debug)."""

from __future__ import annotations


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
