"""The error type the `ember` command shows as a message (exit code 1) instead of a traceback."""


class CLIError(Exception):
    """A problem the user can fix (missing data, unreadable checkpoint...); printed as-is."""

    exit_code = 1


class UsageError(CLIError):
    """Arguments that make no sense together; exits with 2, like argparse's own errors."""

    exit_code = 2
