"""Errors that are the user's to fix: the CLI prints them as one line, no traceback."""
import contextlib
import os
from pathlib import Path


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


def _reason(exc: OSError) -> str:
    # mkdir says "File exists" or "Not a directory" when a parent of the output is a regular file
    if isinstance(exc, (FileExistsError, NotADirectoryError)) and exc.filename:
        path = Path(os.fsdecode(exc.filename))
        for p in (path, *path.parents):
            if p.exists():
                if not p.is_dir():
                    return f"{p} is not a directory"
                break
    return exc.strerror or str(exc)


def io_error_message(exc: OSError, path=None, verb: str = "write") -> str:
    """One line for a failed read or write: the path (``path``, else the one the system names) and the reason.

    >>> io_error_message(OSError(28, "No space left on device"), "out/view.html")
    'cannot write out/view.html: No space left on device'
    """
    where = path if path is not None else (exc.filename2 or exc.filename)
    where = "standard output" if str(where) == "-" else where
    return f"cannot {verb} {where}: {_reason(exc)}" if where is not None else f"cannot {verb}: {_reason(exc)}"


@contextlib.contextmanager
def writing(path):
    """Turn an ``OSError`` raised while ``path`` is written (full disk, a directory or a file
    where a directory belongs, no permission) into a :class:`UserError` naming ``path`` and
    the reason.  A closed pipe (``BrokenPipeError``) passes through: the CLI ends quietly.
    """
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UserError(io_error_message(exc, path)) from None
