"""The Celery app's configuration from the one Settings: JSON only, reliable delivery, keys under the prefix."""

from pathlib import Path

from worker.service.app import celery_config, create_app
from worker.service.handling import process_context
from worker.service.redisconn import mask_url, unavailable
from worker.settings import Settings


def settings(**overrides) -> Settings:
    return Settings(
        redis_url="redis://:s3cret-pw@redis.example:6380/2", key_prefix="acme:", cache_dir=Path("/tmp/x"), **overrides
    )


def test_broker_serialisation_and_delivery_come_from_the_settings():
    config = celery_config(settings(visibility_timeout_seconds=120.0))
    assert config["broker_url"] == "redis://:s3cret-pw@redis.example:6380/2"
    assert config["accept_content"] == ["json"] and config["task_serializer"] == config["result_serializer"] == "json"
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1
    assert config["broker_connection_retry_on_startup"]
    assert config["result_backend"] is None and config["task_ignore_result"]
    transport = config["broker_transport_options"]
    assert transport["global_keyprefix"] == "acme:"
    assert transport["visibility_timeout"] == 120.0
    assert config["task_default_queue"] == "tasks"


def test_the_app_has_the_three_tasks_under_explicit_names_and_builds_nothing_at_creation():
    app = create_app(settings())
    assert {"jobmatch.classify", "jobmatch.classify_batch", "jobmatch.poll_source"} <= set(app.tasks)
    assert app.jobmatch_context is None  # no classifier, no Redis connection until a task needs them
    context = process_context(app)
    assert context is process_context(app)  # one per process
    assert context._classifier is None and context._redis is None


def test_passwords_are_masked_in_urls_and_errors():
    assert mask_url("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert mask_url("rediss://user:s3cret@host:6380/1") == "rediss://user:***@host:6380/1"
    assert mask_url("redis://host:6379/0") == "redis://host:6379/0"
    error = unavailable(settings(), ConnectionError("Error 111 connecting to redis.example:6380. Connection refused."))
    assert "s3cret-pw" not in str(error) and "redis://:***@redis.example:6380/2" in str(error)
    assert "Connection refused" in str(error)
