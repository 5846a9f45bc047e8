#!/usr/bin/python3
"""The real oslo.messaging client, driven by the interop suite (test/oslo/*.test.ts).

Run with Debian's /usr/bin/python3 (python3-oslo.messaging). oslo.messaging names each connection
"<program>:<pid>:<uuid>" with program = basename(sys.argv[0]): the suite runs this file through a symlink named after the
program it plays (e.g. ceilometer-agent-notification), as a real deployment would.

  oslo_peer.py listen  --url rabbit://… --exchange nova [--pool P] [--topic notifications] [--prefetch N]
      A notification listener (threading executor). Prints one JSON line per notification it receives:
      {"event": "notification", "pool": P, "pid": N, "priority": …, "publisher_id": …, "event_type": …, "payload": …,
       "message_id": …, "timestamp": …}, and {"event": "ready", "pid": N} once it consumes. Stops on SIGTERM/SIGINT.
  oslo_peer.py notify  --url rabbit://… --exchange nova --count N [--event-type T] [--publisher-id P]
      The real Notifier (driver messagingv2, topic notifications): N info notifications with payload {"seq": i}.
      Prints {"event": "sent", "count": N} when done.
"""
import argparse
import json
import os
import signal
import sys
import tempfile
import threading

from oslo_config import cfg
import oslo_messaging


def out(obj):
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def transport(url, exchange, prefetch=None):
    oslo_messaging.set_transport_defaults(control_exchange=exchange)
    conf = cfg.ConfigOpts()
    args = []
    if prefetch is not None:
        # As a deployment sets it: [oslo_messaging_rabbit] rabbit_qos_prefetch_count in the service's config file.
        fd, path = tempfile.mkstemp(suffix=".conf")
        with os.fdopen(fd, "w") as f:
            f.write("[oslo_messaging_rabbit]\nrabbit_qos_prefetch_count = %d\n" % prefetch)
        args = ["--config-file", path]
    conf(args, project="rmq-pools-interop")
    return oslo_messaging.get_notification_transport(conf, url=url)


class Endpoint(object):
    def __init__(self, pool):
        self.pool = pool

    def _record(self, priority, ctxt, publisher_id, event_type, payload, metadata):
        out({"event": "notification", "pool": self.pool, "pid": os.getpid(), "priority": priority,
             "publisher_id": publisher_id, "event_type": event_type, "payload": payload,
             "message_id": metadata.get("message_id"), "timestamp": metadata.get("timestamp")})
        return oslo_messaging.NotificationResult.HANDLED

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        return self._record("info", ctxt, publisher_id, event_type, payload, metadata)

    def warn(self, ctxt, publisher_id, event_type, payload, metadata):
        return self._record("warn", ctxt, publisher_id, event_type, payload, metadata)

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        return self._record("error", ctxt, publisher_id, event_type, payload, metadata)


def listen(a):
    t = transport(a.url, a.exchange, a.prefetch)
    targets = [oslo_messaging.Target(topic=a.topic, exchange=a.exchange)]
    listener = oslo_messaging.get_notification_listener(
        t, targets, [Endpoint(a.pool)], executor="threading", pool=a.pool or None)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    listener.start()
    out({"event": "ready", "pid": os.getpid(), "pool": a.pool})
    stop.wait()
    listener.stop()
    listener.wait()
    t.cleanup()


def notify(a):
    t = transport(a.url, a.exchange)
    n = oslo_messaging.Notifier(t, publisher_id=a.publisher_id, driver="messagingv2", topics=[a.topic])
    for i in range(a.count):
        n.info({}, a.event_type, {"seq": i})
    t.cleanup()
    out({"event": "sent", "count": a.count})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["listen", "notify"])
    p.add_argument("--url", required=True)
    p.add_argument("--exchange", default="nova")
    p.add_argument("--topic", default="notifications")
    p.add_argument("--pool", default="")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--prefetch", type=int, default=None, help="rabbit_qos_prefetch_count (oslo's default: 0, unlimited)")
    p.add_argument("--event-type", default="compute.instance.create.end")
    p.add_argument("--publisher-id", default="compute.host1")
    a = p.parse_args()
    listen(a) if a.mode == "listen" else notify(a)


if __name__ == "__main__":
    main()
