"""jobmatch's transport subclasses kombu's Redis channel: the kombu it was written against, and the app using it.

The behaviour (owner records, BLMOVE, leases) is tested against a real Redis and real workers in
tests/integration/test_faults_leases.py; here, what must hold before any of that can: the pinned kombu, the
kombu internals the subclass overrides, and the app configured to use it."""

from pathlib import Path

import kombu
from kombu.transport import get_transport_cls
from kombu.transport import redis as kombu_redis

from worker.service import transport
from worker.service.app import celery_config, create_app
from worker.service.leases import instance_id
from worker.service.store.keys import Keys
from worker.settings import Settings


def test_kombu_is_the_minor_version_the_transport_subclasses():
    pinned = Path(__file__).resolve().parents[3].joinpath("pyproject.toml").read_text()
    assert '"kombu>=5.7,<5.8"' in pinned
    assert kombu.__version__.startswith("5.7.")


def test_the_kombu_internals_the_transport_overrides_are_there():
    for name in ("_brpop_start", "_brpop_read", "_on_connection_disconnect", "basic_consume", "_q_for_pri",
                 "_flush_brpop_reauth", "_do_restore_message"):  # fmt: skip
        assert callable(getattr(kombu_redis.Channel, name)), name
    for name in ("append", "_remove_from_indices", "restore_visible", "restore_by_tag", "pipe_or_acquire"):
        assert callable(getattr(kombu_redis.QoS, name)), name
    assert kombu_redis.Channel.unacked_key == "unacked" and kombu_redis.Channel.unacked_index_key == "unacked_index"
    assert issubclass(transport.Transport, kombu_redis.Transport) and transport.Transport.Channel is transport.Channel


def test_the_app_uses_the_transport_with_one_list_per_queue_and_its_keys_match_the_key_templates():
    settings = Settings(redis_url="redis://localhost:6379/0", key_prefix="acme:", cache_dir=Path("/x"))
    config = celery_config(settings)
    app = create_app(settings)
    assert get_transport_cls("redis") is get_transport_cls("rediss") is transport.Transport
    assert app.connection_for_write().transport_cls == "redis"  # the URL keeps its scheme in logs
    assert config["broker_transport_options"]["priority_steps"] == [0]
    keys = Keys("acme:")
    assert keys.prefix + transport.OWNER_KEY == keys.unacked_owner
    assert keys.prefix + transport.LEASES_KEY == keys.leases
    assert keys.prefix + transport.INFLIGHT_KEY.format(instance=instance_id()) == keys.inflight(instance_id())


def test_an_instance_is_this_process_its_pid_and_when_it_was_first_asked_for():
    host, pid, started = instance_id().rsplit(":", 2)
    assert host and int(pid) > 0 and int(started) > 0
    assert instance_id() == instance_id()
