"""Errors a learner can act on.

Every error the helpers raise on purpose is a :class:`TutorialError`. Its message is one plain
sentence that says what is wrong and what to do about it, so a notebook cell or a shell command can
show it as-is instead of a wall of traceback (see :func:`helpers.notebook.setup_notebook`).
"""

from __future__ import annotations


class TutorialError(Exception):
    """Base class: the message is one sentence naming the cause and the fix."""


class EngineUnavailable(TutorialError):
    """No Docker Engine answers at the address the helpers resolved."""


class EnginePermissionDenied(TutorialError):
    """The engine's socket exists but this user may not open it."""


class EngineTooOld(TutorialError):
    """The engine answers but speaks an API older than the series needs."""


class ImageNotFound(TutorialError):
    """An image or tag does not exist locally or in any registry the engine asked."""


class RegistryUnreachable(TutorialError):
    """Neither Docker Hub nor a lab registry answered."""


class PortInUse(TutorialError):
    """A host port the lesson wanted is already taken by another program."""


class LabError(TutorialError):
    """The offline lab could not be set up; the message says which step failed and how to fix it."""


class NotOwnedError(TutorialError):
    """A cleanup helper was asked to remove something the series did not create."""


class SeriesBusy(TutorialError):
    """Another notebook of the series is using the engine and did not finish in time."""
