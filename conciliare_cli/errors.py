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
