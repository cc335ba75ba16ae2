"""The one error type every scan reader raises."""


class ScanError(Exception):
    """A scan could not be opened; the message is written for the officer, not a developer."""
