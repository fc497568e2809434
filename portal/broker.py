"""The Redis broker transport, with a fix for workers that died when Redis restarted.

kombu 5.7 / Celery 5.7 (the newest on PyPI) lose a worker to a Redis restart: on a lost
connection the consumer first `collect()`s the connection, which detaches the transport from it
(`transport.client = None`), and then `close()`s it. Closing the channel tries to put back the
messages the worker holds unacknowledged (acks_late), which needs connection parameters read
from `transport.client`: AttributeError("'NoneType' object has no attribute 'hostname'"), which
Celery treats as unrecoverable, and the worker exits. Here that case is a connection error
instead, which the close ignores as it ignores every other error of a dead connection; the worker
then reconnects as it should.

Nothing is lost by not restoring them there: Redis hands an unacknowledged message out again
after the visibility timeout (portal/celery.py), and the sweeper re-queues whatever delivery is
still due. Drop this module when kombu or Celery fix the order (check on each upgrade:
tests/faults/test_broker_restart.py fails without it).
"""

from typing import Any

import redis.exceptions
from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None:
            raise redis.exceptions.ConnectionError("The broker connection is already closed")
        # kombu declares no types for it (a private method, the one that reads the client).
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel
