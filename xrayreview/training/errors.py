"""The one error type of the trainer's core."""


class TrainingError(Exception):
    """A training session or library could not be built or used; the message is for the trainer."""
