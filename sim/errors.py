"""Errors that mean the user asked for something invalid (exit code 2, no traceback)."""


class UserError(Exception):
    """A mistake in a scenario file, sweep spec, option or results folder.

    The message names the file, the key path, the bad value and what is allowed.
    """


class ScenarioError(UserError):
    """A scenario file or override that cannot be loaded or does not validate."""
