"""The fitted classifier cached on disk: a pickle keyed by everything that shapes it, verified before it is loaded.

Layout in the cache folder (one pair per key, the newest few keys kept):

    classifier-<key16>.json            the manifest: key, versions, model_version, created, pickle name, sha256, size
    classifier-<key16>-<sha12>.pkl     the pickled `Classifier`, never rewritten in place

The key is a sha256 over the seed documents (names and bytes), the matcher parameters, the source of `matching/`
and `profiles/` (their reference files included) and the Python, scikit-learn, numpy and scipy versions. Writers
put the pickle and then the manifest in place with `os.replace`, so the manifest is the one atomic commit point:
concurrent builders each write a complete pair and the last manifest wins. Readers check the manifest (key,
versions, size, sha256) before unpickling; anything off means a rebuild with one log line saying why.

The checksum guards against truncated or damaged files, not against an attacker: anyone who can write the cache
folder can make this process run code, which is why it is created private (0700).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import pickle
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy
import scipy

import matching
import profiles
from matching import Classifier, RoleMatcher
from profiles import load_profiles
from profiles.loader import SEED_SUFFIXES

__all__ = [
    "ARTEFACT_FORMAT",
    "KEEP_KEYS",
    "Artefact",
    "artefact_key",
    "fit_classifier",
    "library_versions",
    "load_artefact",
]

log = logging.getLogger(__name__)

# Bump when the layout of the manifest or of the pickled object changes.
ARTEFACT_FORMAT = 1
# Artefacts for other keys (older seeds, code or libraries) kept beside the current one, newest first.
KEEP_KEYS = 3
# A temporary or orphaned file older than this is left over from a killed writer and may be removed.
_STALE_SECONDS = 3600.0
_PREFIX = "classifier-"

_warned_unwritable: set[Path] = set()


@dataclass(frozen=True)
class Artefact:
    """A classifier and where it came from: `loaded` from the cache, `built` (fitted) and cached, or `memory` only."""

    classifier: Classifier
    origin: Literal["loaded", "built", "memory"]
    manifest: Path | None
    key: str | None


def library_versions() -> dict[str, str]:
    """The versions a pickled classifier depends on; another version of any of them means a rebuild."""
    return {
        "python": f"{sys.implementation.name} {platform.python_version()}",
        # From the installed package's metadata: importing scikit-learn costs a warm start ~0.5 s, and a fitted
        # matcher needs it only to fit (its results still depend on the version, hence the key).
        "scikit-learn": importlib.metadata.version("scikit-learn"),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
    }


def _package_files(package_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in package_dir.rglob("*")
        if path.is_file() and path.suffix in {".py", ".txt"} and "__pycache__" not in path.parts
    )


def _code_hash() -> str:
    digest = hashlib.sha256()
    for package in (matching, profiles):
        root = Path(package.__file__ or "").resolve().parent
        for path in _package_files(root):
            digest.update(f"{package.__name__}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _seed_files(seeds: Path) -> list[Path]:
    # The same selection as `profiles.load_profiles`: *.txt and *.md files, by name.
    return sorted(
        (p for p in seeds.iterdir() if p.is_file() and p.suffix.lower() in SEED_SUFFIXES), key=lambda p: p.name
    )


def artefact_key(seeds: Path, params: Mapping[str, object]) -> str:
    """The cache key: sha256 of the seeds, matcher parameters, matching/profiles source and library versions.

    Raises OSError when the seeds folder cannot be read.
    """
    digest = hashlib.sha256()
    header = {"format": ARTEFACT_FORMAT, "params": params, "code": _code_hash(), "versions": library_versions()}
    digest.update(json.dumps(header, sort_keys=True).encode())
    for path in _seed_files(seeds):
        digest.update(f"\0seed {path.name}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def fit_classifier(seeds: Path, params: Mapping[str, Any]) -> Classifier:
    """A classifier fitted now on the profiles in `seeds` with matcher parameters `params` (no cache)."""
    role_profiles = load_profiles(seeds)
    return Classifier(RoleMatcher(**params).fit(role_profiles), role_profiles)


def load_artefact(
    seeds: Path,
    cache_dir: Path,
    *,
    params: Mapping[str, Any] | None = None,
    fit: Callable[[Path, Mapping[str, Any]], Classifier] = fit_classifier,
) -> Artefact:
    """The classifier for these seeds and matcher parameters: from the cache when a verified artefact exists,
    else fitted and cached. An unusable cache folder means fitting in memory (with one warning per folder).

    Raises what fitting raises (`ProfileError` for missing or malformed seeds, `ModelError`).
    """
    matcher_params = dict(RoleMatcher().get_params() if params is None else params)
    try:
        key = artefact_key(seeds, matcher_params)
    except OSError:
        # No readable seeds folder: fitting raises the error that names it.
        return Artefact(fit(seeds, matcher_params), "memory", None, None)
    manifest_path = cache_dir / f"{_PREFIX}{key[:16]}.json"
    if manifest_path.exists():
        classifier, reason = _read(manifest_path, key)
        if classifier is not None:
            return Artefact(classifier, "loaded", manifest_path, key)
        log.warning("jobmatch: rebuilding the model artefact %s: %s", manifest_path, reason)
    classifier = fit(seeds, matcher_params)
    try:
        _write(cache_dir, manifest_path, key, classifier)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        # Unwritable folder, full disk, or a classifier that no longer pickles: classify anyway, say so once.
        if cache_dir not in _warned_unwritable:
            _warned_unwritable.add(cache_dir)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"
            log.warning(
                "jobmatch: cannot cache the model artefact in %s (%s); fitting in memory on every start",
                cache_dir,
                reason,
            )
        return Artefact(classifier, "memory", None, key)
    _prune(cache_dir, keep=manifest_path)
    return Artefact(classifier, "built", manifest_path, key)


def _read(manifest_path: Path, key: str) -> tuple[Classifier | None, str]:
    """The verified classifier of a manifest, or None and the reason it cannot be used."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"unreadable manifest ({exc})"
    if not isinstance(manifest, dict):
        return None, "manifest is not a JSON object"
    if manifest.get("format") != ARTEFACT_FORMAT:
        return None, f"artefact format {manifest.get('format')!r}, expected {ARTEFACT_FORMAT}"
    if manifest.get("key") != key:
        return None, "manifest key does not match the seeds, code and parameters"
    versions = manifest.get("versions")
    current = library_versions()
    if not isinstance(versions, dict):
        return None, "manifest has no library versions"
    for name, version in current.items():
        if versions.get(name) != version:
            return None, f"built with {name} {versions.get(name)}, this process has {version}"
    pickle_name = manifest.get("pickle")
    if not isinstance(pickle_name, str) or Path(pickle_name).name != pickle_name:
        return None, f"manifest names no pickle file in the cache folder ({pickle_name!r})"
    try:
        data = (manifest_path.parent / pickle_name).read_bytes()
    except OSError as exc:
        return None, f"unreadable pickle {pickle_name} ({exc.strerror or exc})"
    if len(data) != manifest.get("size"):
        return None, f"pickle {pickle_name} has {len(data)} bytes, the manifest says {manifest.get('size')}"
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        return None, f"pickle {pickle_name} does not match its sha256 checksum"
    try:
        classifier = pickle.loads(data)
    except Exception as exc:  # a verified file that still fails to load must rebuild, whatever the error
        return None, f"pickle {pickle_name} does not load ({type(exc).__name__}: {exc})"
    if not isinstance(classifier, Classifier):
        return None, f"pickle {pickle_name} holds a {type(classifier).__name__}, not a Classifier"
    if classifier.model_version != manifest.get("model_version"):
        return None, f"pickle {pickle_name} has model version {classifier.model_version}, not the manifest's"
    return classifier, ""


def _atomic_write(folder: Path, name: str, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=f"-{name}")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write(cache_dir: Path, manifest_path: Path, key: str, classifier: Classifier) -> None:
    cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = pickle.dumps(classifier, protocol=pickle.HIGHEST_PROTOCOL)
    sha = hashlib.sha256(data).hexdigest()
    pickle_name = f"{_PREFIX}{key[:16]}-{sha[:12]}.pkl"
    manifest = {
        "format": ARTEFACT_FORMAT,
        "key": key,
        "model_version": classifier.model_version,
        "versions": library_versions(),
        "pickle": pickle_name,
        "sha256": sha,
        "size": len(data),
        "created": datetime.now(UTC).isoformat(timespec="microseconds"),
    }
    # The pickle first, then the manifest naming it: a reader never sees a manifest without its pickle.
    _atomic_write(cache_dir, pickle_name, data)
    _atomic_write(cache_dir, manifest_path.name, (json.dumps(manifest, indent=2) + "\n").encode())


def _prune(cache_dir: Path, *, keep: Path) -> None:
    """Drop artefacts beyond the newest `KEEP_KEYS` keys, and leftovers of killed writers."""
    try:
        manifests = sorted(cache_dir.glob(f"{_PREFIX}*.json"), key=_mtime, reverse=True)
        kept = [keep, *(m for m in manifests if m != keep)][:KEEP_KEYS]
        named = set()
        for manifest in kept:
            try:
                named.add(json.loads(manifest.read_text(encoding="utf-8")).get("pickle"))
            except (OSError, ValueError, AttributeError):
                continue
        now = time.time()
        dropped = set()
        for manifest in manifests:
            if manifest not in kept:
                manifest.unlink(missing_ok=True)
                dropped.add(manifest.stem)
        for path in [*cache_dir.glob(f"{_PREFIX}*.pkl"), *cache_dir.glob(".tmp-*")]:
            own_key = path.name.rsplit("-", 1)[0] if path.suffix == ".pkl" else ""
            # The pickle of a dropped manifest goes now; any other unnamed file (a concurrent writer's, an older
            # build of a kept key, a temporary file) only once stale, so writers and readers in flight are safe.
            if path.name in named:
                continue
            if own_key in dropped or now - _mtime(path) > _STALE_SECONDS:
                path.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("pruning %s: %s", cache_dir, exc)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
