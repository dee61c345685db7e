"""The errors a user or operator reads: each message is one line of Chinese, shown as plain text.

Every error the product raises for a person to read derives from UserFacingError, so that a page or the CLI
catches them all at once and never shows a traceback. A DoneButPending is no failure: the change it reports
is published, and only a follow-up of it (the audit copy) is still to come; it carries the change's result,
so that its caller reports success with a warning and does not offer the same change again.
"""


class UserFacingError(Exception):
    """A refusal or failure whose message is one line of Chinese for the person who asked."""


class DoneButPending(UserFacingError):
    """The change is published; a follow-up of it is pending (the message says which). result: what the
    change returned."""

    def __init__(self, message: str, result: object = None):
        super().__init__(message)
        self.result = result
