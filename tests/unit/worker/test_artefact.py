"""The cached model artefact: loaded instead of refitted, keyed by seeds and versions, verified before unpickling."""

import json
import logging
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from worker import artefact
from worker.artefact import KEEP_KEYS, artefact_key, load_artefact
from worker.lines import iter_result_chunks, read_records

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def seeds(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", folder)
    return folder


class CountingFit:
    """The real fit, counted: how many times a load had to fit rather than load."""

    def __init__(self):
        self.calls = 0

    def __call__(self, seeds, params):
        self.calls += 1
        return artefact.fit_classifier(seeds, params)


def manifest_of(loaded):
    return json.loads(loaded.manifest.read_text(encoding="utf-8"))


def results(classifier, path=ROOT / "examples" / "postings.jsonl"):
    with open(path, encoding="utf-8") as stream:
        return [r for chunk in iter_result_chunks(classifier, read_records(stream)) for r in chunk]


def test_second_load_reads_the_artefact_instead_of_fitting(seeds, tmp_path):
    fit = CountingFit()
    first = load_artefact(seeds, tmp_path / "cache", fit=fit)
    assert first.origin == "built" and fit.calls == 1
    created = manifest_of(first)["created"]
    second = load_artefact(seeds, tmp_path / "cache", fit=fit)
    assert second.origin == "loaded" and fit.calls == 1
    assert second.manifest == first.manifest and manifest_of(second)["created"] == created
    assert second.classifier.model_version == first.classifier.model_version == manifest_of(second)["model_version"]


def test_loaded_artefact_classifies_exactly_like_a_fresh_fit(seeds, tmp_path):
    load_artefact(seeds, tmp_path / "cache")
    loaded = load_artefact(seeds, tmp_path / "cache")
    assert loaded.origin == "loaded"
    fresh = artefact.fit_classifier(seeds, loaded.classifier.matcher.get_params())
    assert results(loaded.classifier) == results(fresh)
    assert {r["status"] for r in results(fresh)} == {"matched", "no_match", "rejected"}


def test_a_seeds_change_builds_a_new_artefact_and_model_version(seeds, tmp_path):
    before = load_artefact(seeds, tmp_path / "cache")
    seed = sorted(seeds.glob("*.txt"))[0]
    seed.write_text(seed.read_text(encoding="utf-8") + "\nAlso owns the Kubeflow pipelines.\n", encoding="utf-8")
    after = load_artefact(seeds, tmp_path / "cache")
    assert after.origin == "built"
    assert after.key != before.key and after.manifest != before.manifest
    assert after.classifier.model_version != before.classifier.model_version
    assert before.manifest.exists()  # the previous key is kept (pruning keeps a few)
    assert load_artefact(seeds, tmp_path / "cache").origin == "loaded"


def test_the_key_follows_matcher_parameters_and_library_versions(seeds, monkeypatch):
    params = {"threshold": 0.25}
    key = artefact_key(seeds, params)
    assert artefact_key(seeds, params) == key
    assert artefact_key(seeds, {"threshold": 0.3}) != key
    versions = artefact.library_versions()
    monkeypatch.setattr(artefact, "library_versions", lambda: {**versions, "scikit-learn": "0.0.1"})
    assert artefact_key(seeds, params) != key


def test_the_key_follows_the_matching_and_profiles_source(seeds, monkeypatch):
    key = artefact_key(seeds, {})
    monkeypatch.setattr(artefact, "_code_hash", lambda: "another version of matching/")
    assert artefact_key(seeds, {}) != key
    source = artefact._package_files(Path(artefact.matching.__file__).parent)
    assert any(p.name == "other_roles.txt" for p in source) and any(p.name == "model.py" for p in source)


def _truncate_pickle(manifest, folder):
    path = folder / manifest["pickle"]
    path.write_bytes(path.read_bytes()[:1000])


def _flip_a_byte(manifest, folder):
    path = folder / manifest["pickle"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _other_sklearn(manifest, folder):
    manifest["versions"]["scikit-learn"] = "0.24.2"
    return manifest


def _wrong_checksum(manifest, folder):
    manifest["sha256"] = "0" * 64
    return manifest


def _garbage_pickle_with_its_checksum(manifest, folder):
    import hashlib

    data = b"not a pickle at all"
    (folder / manifest["pickle"]).write_bytes(data)
    return {**manifest, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_truncate_pickle, "bytes, the manifest says"),
        (_flip_a_byte, "does not match its sha256 checksum"),
        (_other_sklearn, "built with scikit-learn 0.24.2"),
        (_wrong_checksum, "does not match its sha256 checksum"),
        (_garbage_pickle_with_its_checksum, "does not load"),
    ],
)
def test_a_damaged_or_foreign_artefact_is_rebuilt_never_loaded(seeds, tmp_path, caplog, damage, reason):
    cache = tmp_path / "cache"
    first = load_artefact(seeds, cache)
    manifest = manifest_of(first)
    changed = damage(manifest, cache)
    if changed is not None:
        first.manifest.write_text(json.dumps(changed), encoding="utf-8")
    fit = CountingFit()
    with caplog.at_level(logging.WARNING, logger="worker.artefact"):
        rebuilt = load_artefact(seeds, cache, fit=fit)
    assert rebuilt.origin == "built" and fit.calls == 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "worker.artefact"]
    assert len(warnings) == 1 and reason in warnings[0] and str(first.manifest) in warnings[0]
    assert load_artefact(seeds, cache, fit=fit).origin == "loaded" and fit.calls == 1
    assert results(rebuilt.classifier) == results(first.classifier)


def test_an_unreadable_manifest_is_rebuilt(seeds, tmp_path, caplog):
    first = load_artefact(seeds, tmp_path / "cache")
    first.manifest.write_bytes(b'{"format": 1, "key": "trunc')
    with caplog.at_level(logging.WARNING, logger="worker.artefact"):
        assert load_artefact(seeds, tmp_path / "cache").origin == "built"
    assert "unreadable manifest" in caplog.text


def test_an_unwritable_cache_dir_still_classifies_and_warns_once(seeds, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = blocker / "cache"  # cannot be created, even by root
    with caplog.at_level(logging.WARNING, logger="worker.artefact"):
        first = load_artefact(seeds, cache)
        second = load_artefact(seeds, cache)
    assert first.origin == second.origin == "memory" and first.manifest is None
    assert len(results(first.classifier)) == 24
    warnings = [r.getMessage() for r in caplog.records if r.name == "worker.artefact"]
    assert len(warnings) == 1 and str(cache) in warnings[0] and "fitting in memory" in warnings[0]


def test_concurrent_builders_leave_one_loadable_artefact(seeds, tmp_path):
    cache = tmp_path / "cache"
    barrier = threading.Barrier(4)

    def fit_together(folder, params):
        classifier = artefact.fit_classifier(folder, params)
        barrier.wait(timeout=30)  # every builder writes at the same moment
        return classifier

    with ThreadPoolExecutor(4) as pool:
        built = list(pool.map(lambda _: load_artefact(seeds, cache, fit=fit_together), range(4)))
    assert {b.origin for b in built} == {"built"}
    assert len({b.classifier.model_version for b in built}) == 1
    loaded = load_artefact(seeds, cache)
    assert loaded.origin == "loaded"
    assert not list(cache.glob(".tmp-*"))


def test_old_keys_are_pruned_to_the_newest_few(seeds, tmp_path):
    cache = tmp_path / "cache"
    seed = sorted(seeds.glob("*.txt"))[0]
    original = seed.read_text(encoding="utf-8")
    manifests = []
    for n in range(KEEP_KEYS + 2):
        seed.write_text(original + f"\nVariant {n}.\n", encoding="utf-8")
        manifests.append(load_artefact(seeds, cache).manifest)
    assert sorted(cache.glob("*.json")) == sorted(manifests[-KEEP_KEYS:])
    named = {json.loads(m.read_text(encoding="utf-8"))["pickle"] for m in manifests[-KEEP_KEYS:]}
    assert {p.name for p in cache.glob("*.pkl")} == named


def test_a_warm_start_classifies_without_importing_scikit_learn(seeds, tmp_path):
    # Importing scikit-learn is most of a fresh process's start-up; only fitting needs it.
    script = (
        "import sys; from pathlib import Path; from worker.artefact import load_artefact; "
        f"loaded = load_artefact(Path({str(seeds)!r}), Path({str(tmp_path / 'cache')!r})); "
        "from matching import posting_from_text; "
        "result = loaded.classifier.classify(posting_from_text('ML Platform Eng\\nKubeflow, feature stores.')); "
        "print(loaded.origin, result['status'], 'sklearn' in sys.modules)"
    )

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run() == "built matched True"
    assert run() == "loaded matched False"
