"""jobmatch's broker transport: kombu's Redis transport, with each delivery recorded with its owner and no
window in which a message taken off the queue is recorded nowhere.

kombu (pinned to 5.7.x in pyproject: this subclasses its Redis channel) takes a message with BRPOP and records it
as unacknowledged (`unacked`, `unacked_index`) a moment later, with no record of which worker holds it. Here:

- the channel takes the message with `BLMOVE queue {prefix}inflight:{instance} RIGHT LEFT`, atomically, so a
  worker killed before it records the delivery leaves the message in its in-flight list, where a live worker
  finds it once the instance's lease has expired (`leases.py`);
- `QoS.append` records the delivery and its owner (`unacked_owner`: tag -> instance) and takes the message out of
  the in-flight list in one MULTI; ack, reject and restore remove the owner record with kombu's;
- kombu's visibility-timeout restore leaves owned deliveries alone (their owners' leases decide), so a slow task
  on a live worker never runs twice; it still restores deliveries with no owner (written by a kombu without this
  transport) once they are older than the visibility timeout;
- a consuming channel writes its instance's lease before its first BLMOVE.

BLMOVE takes one source list, so it is used when the channel consumes one queue at one priority step (jobmatch's
case: one queue, `priority_steps` [0]); otherwise the channel falls back to kombu's BRPOP.
"""

from __future__ import annotations

from contextlib import suppress
from time import monotonic, time
from typing import Any

from kombu import transport as kombu_transport
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import dumps, loads

from .leases import instance_id

__all__ = ["Channel", "QoS", "Transport", "install"]

OWNER_KEY = "unacked_owner"  # under kombu's global key prefix, like `unacked`
LEASES_KEY = "leases"
INFLIGHT_KEY = "inflight:{instance}"


class QoS(kombu_redis.QoS):
    """kombu's QoS, with the delivery's owner recorded, and removed, with the delivery."""

    def append(self, message: Any, delivery_tag: str) -> None:
        channel = self.channel
        delivery = message.delivery_info
        record = dumps([message._raw, delivery["exchange"], delivery["routing_key"]])
        raw = channel._inflight_raw
        with self.pipe_or_acquire() as pipe:
            pipe.zadd(self.unacked_index_key, {delivery_tag: time()})
            pipe.hset(self.unacked_key, delivery_tag, record)
            pipe.hset(OWNER_KEY, delivery_tag, instance_id())
            if raw is not None:
                pipe.lrem(channel.inflight_key, 1, raw)  # LREM is not prefixed by kombu: the key is in full
            pipe.execute()
        channel._inflight_raw = None
        virtual.QoS.append(self, message, delivery_tag)

    def _remove_from_indices(self, delivery_tag: str, pipe: Any = None) -> Any:
        return super()._remove_from_indices(delivery_tag, pipe).hdel(OWNER_KEY, delivery_tag)

    def restore_visible(self, start: int = 0, num: int = 10, interval: int = 10) -> None:
        """kombu's restore of deliveries older than the visibility timeout, for deliveries no instance owns."""
        self._vrestore_count += 1
        if (self._vrestore_count - 1) % (interval or 1):
            return
        with self.channel.conn_or_acquire() as client:
            ceil = time() - self.visibility_timeout
            with (
                suppress(kombu_redis.MutexHeld),
                kombu_redis.Mutex(client, self.unacked_mutex_key, self.unacked_mutex_expire),
            ):
                visible = client.zrange(
                    self.unacked_index_key, ceil, 0, desc=True, byscore=True,
                    offset=num and start, num=num, withscores=True,
                )  # fmt: skip
                for tag, _ in visible or []:
                    if client.hget(OWNER_KEY, tag) is None:
                        self.restore_by_tag(tag, client)


class Channel(kombu_redis.Channel):
    """kombu's Redis channel, taking messages with BLMOVE into its instance's in-flight list."""

    QoS = QoS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._inflight_raw: bytes | None = None  # the message being delivered, until its delivery is recorded
        self._inflight_suspect = True  # the in-flight list may hold a message whose BLMOVE reply never came
        self._blmove_queue: str | None = None
        self._no_ack_queues: set[str] = set()
        super().__init__(*args, **kwargs)

    @property
    def inflight_key(self) -> str:
        return self.global_keyprefix + INFLIGHT_KEY.format(instance=instance_id())

    def basic_consume(self, queue: str, no_ack: bool, *args: Any, **kwargs: Any) -> Any:
        if no_ack:
            self._no_ack_queues.add(queue)  # taken and forgotten: no in-flight list for those (kombu's BRPOP)
        with self.conn_or_acquire() as client:
            seconds, micros = client.time()
            client.hset(LEASES_KEY, instance_id(), f"{seconds + micros / 1e6:.3f}")  # before the first BLMOVE
        return super().basic_consume(queue, no_ack, *args, **kwargs)

    def _single_source(self) -> bool:
        if self._no_ack_queues or len(self._active_queues) != 1:
            return False
        return len({self._q_for_pri("q", p) for p in self.priority_steps}) == 1

    def _brpop_start(self, timeout: float | None = None) -> None:
        if not self._single_source():
            self._blmove_queue = None
            super()._brpop_start(timeout)
            return
        queue = self._queue_cycle.consume(1)[0]
        if self._inflight_suspect:
            self._return_inflight()
        self._blmove_queue = queue
        self._in_poll = self.client.connection
        self._brpop_sent_at = monotonic()  # type: ignore[assignment]  # kombu's class attribute is None
        source = self.global_keyprefix + self._q_for_pri(queue, self.priority_steps[0])
        wait = self.brpop_timeout if timeout is None else timeout
        self.client.connection.send_command("BLMOVE", source, self.inflight_key, "RIGHT", "LEFT", wait or 0)

    def _return_inflight(self) -> None:
        """Put back on the queue what the in-flight list holds: messages whose BLMOVE reply was lost with the
        connection (no command is pending on it now, so nothing is on its way to this channel)."""
        source = self.global_keyprefix + self._q_for_pri(self._active_queues[0], self.priority_steps[0])
        while self.client.lmove(self.inflight_key, source, "LEFT", "RIGHT") is not None:
            pass
        self._inflight_suspect = False

    def _brpop_read(self, **options: Any) -> bool:
        queue = self._blmove_queue
        if queue is None:
            return bool(super()._brpop_read(**options))
        try:
            try:
                item = self.client.parse_response(self.client.connection, "BLMOVE", **options)
            except self.connection_errors:
                self.client.connection.disconnect()
                self._inflight_suspect = True
                raise
            if not item:
                raise virtual.Empty()
            self._queue_cycle.rotate(queue)
            self._inflight_raw = item
            try:
                self.connection._deliver(loads(bytes_to_str(item)), queue)
            finally:
                if self._inflight_raw is not None:  # not recorded: a consumer without acks, or the append failed
                    self._inflight_raw = None
                    self._inflight_suspect = True
            return True
        finally:
            self._in_poll = None  # type: ignore[assignment]  # kombu's own: False, a connection or None
            self._blmove_queue = None
            self._flush_brpop_reauth()

    def _on_connection_disconnect(self, connection: Any) -> None:
        self._inflight_suspect = True
        super()._on_connection_disconnect(connection)


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with jobmatch's channel."""

    Channel = Channel


def install() -> None:
    """Make `redis://` and `rediss://` broker URLs use this transport in this process (kombu's alias table), so that
    the URLs in Celery's banner and logs keep their scheme (`broker_transport` would show the class path)."""
    for scheme in ("redis", "rediss"):
        kombu_transport.TRANSPORT_ALIASES[scheme] = f"{__name__}:Transport"
        kombu_transport._transport_cache.pop(scheme, None)
