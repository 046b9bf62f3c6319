"""Kombu's Redis transport, with the one defect that made workers exit when Redis went away.

With a late-acknowledged task running and a BRPOP pending, losing Redis makes Celery's
consumer close the broken connection twice (`Connection.collect`, then `close`). The
first close fails reading the pending BRPOP, before the channel is marked closed, and
`collect` then drops the transport's link to its connection (`Transport.client = None`).
The second close tries to give the unacknowledged message back to Redis, which needs a
new Redis client built from `Transport.client`: kombu 5.7.0 raises
`AttributeError: 'NoneType' object has no attribute 'hostname'`, which is not a
connection error, so Celery stops the worker ("Unrecoverable error"). A task finishing
after the reconnect acknowledges through the same dead channel and fails the same way.

Here a channel whose connection was closed answers with a connection error instead,
which kombu and Celery already handle: the close goes on, the consumer reconnects, and
the message stays in Redis's "unacked" set until the visibility timeout hands it out again
(every task of this app may run twice: the work it does is claimed in the database).
Celery uses this transport for every redis:// broker URL (`CELERY_BROKER_TRANSPORT`).
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel was closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
