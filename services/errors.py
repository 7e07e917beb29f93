"""Errors the services raise for a person to read."""


class ServiceError(ValueError):
    """A rule was broken; ``message`` is already translated (or lazily translatable) text."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field  #: the form field the message belongs to, if any
