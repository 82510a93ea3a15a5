"""`jobmatch batch --via-queue`: the same output as the in-process batch, line for line; refusals."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from pathlib import Path

from conftest import ROOT, run_cli, wait_for

from worker.runtime import load_classifier

EXAMPLES = ROOT / "examples" / "postings.jsonl"


def test_via_queue_equals_in_process_line_for_line(worker, env, raw_redis, prefix, tmp_path: Path):
    # A bigger feed than the examples (the examples three times, ids made unique) in chunks of 7 lines, so
    # chunks finish out of order on two pool processes and must be put back in input order.
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    feed = tmp_path / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for copy in range(3):
            for line in lines:
                out.write(line.replace('"id": "ex-', f'"id": "c{copy}-ex-') + "\n")
            out.write("\n")  # a blank line: no result, as in-process
    local = run_cli(["batch", str(feed), "--out", str(tmp_path / "local.jsonl")], env)
    queued = run_cli(
        ["batch", str(feed), "--out", str(tmp_path / "queued.jsonl"), "--via-queue", "--chunk-lines", "7"], env
    )
    assert local.returncode == 0, local.stderr
    assert queued.returncode == 0, queued.stderr
    expected = (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()
    got = (tmp_path / "queued.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(got) == 72
    assert got == expected  # byte for byte: results carry no timestamps
    assert queued.stderr == local.stderr  # the same summary, rejected lines included
    rejected = [json.loads(line) for line in got if json.loads(line)["status"] == "rejected"]
    assert [r["line"] for r in rejected] == [9, 17, 34, 42, 59, 67]
    assert "not valid JSON" in rejected[0]["error"] and rejected[1]["error"].endswith("field 'title': missing")
    # The per-batch keys are gone once the batch is collected; the results were published like any others.
    assert not list(raw_redis.scan_iter(match=f"{prefix}batch:*"))
    # Every posting with an id, once: 22 per copy, plus posting 1017, whose id is the same in every copy
    # (identical content: published once). The line that is not JSON has no id: dead letter only.
    assert raw_redis.xlen(f"{prefix}results") == 3 * 22 + 1
    assert raw_redis.xlen(f"{prefix}dead-letter") == 3 + 3


def test_via_queue_refuses_without_a_live_worker(env, redis_url, tmp_path: Path):
    out = tmp_path / "out.jsonl"
    done = run_cli(["batch", str(EXAMPLES), "--out", str(out), "--via-queue"], env)
    assert done.returncode == 2
    assert "no live worker" in done.stderr
    assert not out.exists()


def test_via_queue_refuses_a_worker_with_another_model_version(env, raw_redis, prefix, tmp_path: Path):
    now = time.time()
    beat = {"hostname": "old@box", "pid": 1, "model_version": "m000000000000", "concurrency": 2,
            "started_at": now, "seen_at": now}  # fmt: skip
    raw_redis.hset(f"{prefix}workers", "old@box", json.dumps(beat))
    done = run_cli(["batch", str(EXAMPLES), "--out", str(tmp_path / "out.jsonl"), "--via-queue"], env)
    assert done.returncode == 2
    assert "model version mismatch" in done.stderr and "old@box runs m000000000000" in done.stderr


def _message_args(raw: bytes) -> list:
    message = json.loads(raw)
    assert message["headers"]["task"] == "jobmatch.classify_batch"
    assert message["properties"]["body_encoding"] == "base64"
    return json.loads(base64.b64decode(message["body"]))[0]


def test_chunks_travel_by_reference_and_a_duplicate_delivery_changes_nothing(
    start_worker, start_cli, env, raw_redis, prefix, settings, tmp_path: Path
):
    # Odd input on purpose: CRLF line ends, blank and whitespace-only lines, an undecodable (Latin-1) byte, a
    # last line without a newline. No worker at first (a heartbeat stands in), so the chunks wait in the queue.
    now = time.time()
    ghost = {"hostname": "ghost@box", "pid": 1, "model_version": load_classifier(settings).model_version,
             "concurrency": 2, "started_at": now, "seen_at": now}  # fmt: skip
    raw_redis.hset(f"{prefix}workers", "ghost@box", json.dumps(ghost))
    lines = EXAMPLES.read_bytes().splitlines()
    body = b""
    for copy in range(2):
        for number, line in enumerate(lines):
            line = line.replace(b'"id": "ex-', f'"id": "d{copy}-ex-'.encode()).replace(b'"id": 1017', b'"id": "d-1017"')
            body += line + (b"\r\n" if copy else b"\n") + (b"\n  \n" if number % 10 == 3 else b"")
    body += b'{"id": "latin-1", "title": "Ing\xe9nieur ML", "description": "Kubeflow pipelines, caf\xe9"}'
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(body)
    local = run_cli(["batch", str(feed), "--out", str(tmp_path / "local.jsonl")], env)
    assert local.returncode == 0, local.stderr
    batch = start_cli(
        ["batch", str(feed), "--out", str(tmp_path / "queued.jsonl"), "--via-queue", "--chunk-lines", "7",
         "--no-progress"], env,
    )  # fmt: skip

    # The window (4 chunks for a 2-process worker) is queued; each message names its chunk, nothing more.
    wait_for(lambda: raw_redis.llen(f"{prefix}tasks") == 4, 30, "four chunks in the queue")
    raw_messages = raw_redis.lrange(f"{prefix}tasks", 0, -1)
    args = sorted((_message_args(raw) for raw in raw_messages), key=lambda a: a[1])
    batch_id = args[0][0]
    with feed.open(encoding="utf-8", errors="surrogateescape") as source:
        numbered = [(n, line) for n, line in enumerate(source, start=1) if line.strip()]
    assert [a[1:] for a in args] == [[index, 7 * index + 1] for index in range(4)]  # chunks of 7 lines of the file
    assert all(a[0] == batch_id for a in args) and max(len(raw) for raw in raw_messages) < 2000
    assert raw_redis.get(f"{prefix}batch:{batch_id}:lines:0") == b"".join(io.BytesIO(body).readlines()[:7])
    assert 0 < raw_redis.ttl(f"{prefix}batch:{batch_id}:lines:0") <= 86400
    # A redelivery of chunk 0 (as after a lost acknowledgement), queued behind the others, then a real worker.
    oldest = raw_messages[-1] if _message_args(raw_messages[-1])[1] == 0 else raw_messages[0]
    task_id = json.loads(oldest)["headers"]["id"]
    raw_redis.lpush(f"{prefix}tasks", oldest)
    worker = start_worker("w1", args=["--loglevel", "INFO"])
    assert batch.process.wait(60) == 0, batch.err()

    expected = (tmp_path / "local.jsonl").read_text(encoding="utf-8")
    assert (tmp_path / "queued.jsonl").read_text(encoding="utf-8") == expected
    assert batch.err() == local.stderr  # the same summary, rejected lines included
    assert len(expected.splitlines()) == len(numbered) == 2 * 24 + 1

    # And once more, long after the batch was collected: a delivery that finds no lines does nothing.
    def runs() -> list[str]:
        return re.findall(rf"classify_batch\[{task_id}\] succeeded in [0-9.]+s: (\d+)", worker.log())

    wait_for(lambda: len(runs()) == 2, 30, "both deliveries of chunk 0 to finish")
    raw_redis.rpush(f"{prefix}tasks", oldest)
    wait_for(lambda: len(runs()) == 3, 30, "the late duplicate to run")
    in_chunk_0 = sum(number <= 7 for number, _ in numbered)
    assert runs()[0] == str(in_chunk_0) and runs()[2] == "0"  # it found no lines: nothing classified, nothing stored
    wait_for(lambda: raw_redis.hlen(f"{prefix}unacked") == 0, 30, "the late duplicate to be acknowledged")
    assert not list(raw_redis.scan_iter(match=f"{prefix}batch:*"))
    results = [json.loads(line) for line in expected.splitlines()]
    with_id = {r["id"] for r in results if r["id"] is not None}
    assert raw_redis.xlen(f"{prefix}results") == len(with_id)  # each published once, duplicates or not
    letters = raw_redis.xrange(f"{prefix}dead-letter")
    assert len(letters) == sum(r["status"] == "rejected" for r in results) == 4
    # The original posting reaches the dead-letter stream with its rejection (it is only sent for those).
    by_id = {fields[b"id"].decode(): fields for _, fields in letters}
    assert by_id["d1-ex-bad-2"][b"payload"].decode().strip() == numbered[24 + 16][1].strip()
    assert results[-1]["id"] == "latin-1" and results[-1]["line"] == numbered[-1][0]
