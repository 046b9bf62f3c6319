class ServiceConflict(Exception):
    """The operation is no longer possible: someone changed the object first (HTTP 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
