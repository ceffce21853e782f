"""Errors that mean the user asked for something invalid (exit code 2, no traceback)."""


class UserError(Exception):
    """A mistake in a scenario file, sweep spec, option or results folder.

    The message names the file, the key path, the bad value and what is allowed.
    """


class ScenarioError(UserError):
    """A scenario file or override that cannot be loaded or does not validate."""


# Exit status when the disk is full, read-only or failing (sysexits' EX_IOERR): not the
# user's mistake (2) nor a failed run (1), and said in one line, never a traceback.
EXIT_DISK = 74
