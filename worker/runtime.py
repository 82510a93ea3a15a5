"""Building the classifier a command or worker process uses, from the settings."""

from __future__ import annotations

from matching import Classifier

from .artefact import load_artefact
from .settings import Settings

__all__ = ["load_classifier"]


def load_classifier(settings: Settings) -> Classifier:
    """The classifier for the settings' seeds: the cached artefact in `settings.cache_dir` when one was built for
    exactly these seeds, code and library versions, else fitted now and cached for the next process.

    Raises `ProfileError` for a missing or malformed seeds folder, `ModelError` when nothing can be fitted.
    """
    return load_artefact(settings.seeds, settings.cache_dir).classifier
