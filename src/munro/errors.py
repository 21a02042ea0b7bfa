"""Errors that are the user's to fix: the CLI prints them as one line and exits non-zero."""


class MunroError(Exception):
    """A problem with the user's input or options, with a message meant for them."""

    exit_code = 2


class RejectedFile(MunroError):
    """A file that cannot be loaded: nothing of it reaches the store."""

    exit_code = 1

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
