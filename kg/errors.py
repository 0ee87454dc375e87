"""Errors that are the user's to fix: the CLI prints them as one line, no traceback."""


class UserError(Exception):
    """A mistake or a condition the user can fix (bad path, unreachable server, bad query).

    ``exit_code`` is 2 for usage errors and 1 when nothing could be done.
    """

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class UsageError(UserError):
    """Wrong options or arguments (exit code 2)."""

    def __init__(self, message: str):
        super().__init__(message, exit_code=2)
