"""Building the classifier a command or worker process uses, from the settings."""

from __future__ import annotations

from matching import Classifier, RoleMatcher
from profiles import load_profiles

from .settings import Settings

__all__ = ["load_classifier"]


def load_classifier(settings: Settings) -> Classifier:
    """Profiles from the settings' seeds folder and a matcher fitted on them."""
    profiles = load_profiles(settings.seeds)
    return Classifier(RoleMatcher().fit(profiles), profiles)
