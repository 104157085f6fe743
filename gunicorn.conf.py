"""gunicorn's settings for Stafett in production (Procfile `web`, the Dockerfile's command).

Sync workers, one request at a time each, behind a proxy or load balancer that buffers slow
clients (nginx, haproxy, the platform's). Each worker keeps its database connection between
requests (settings: CONN_MAX_AGE 60 with health checks). No access log of gunicorn's own:
core/request_log.py writes one JSON line per request with the request id and the person's
internal id; gunicorn's own messages are JSON too.
"""

import multiprocessing
import os

bind = os.environ.get("STAFETT_GUNICORN_BIND", "0.0.0.0:8000")
# (2 × cores) + 1 is gunicorn's advice; on a 2-core host that is 5. Set it per host.
workers = int(os.environ.get("STAFETT_GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
timeout = 60  # the biggest log's PDF is well under a second; a stuck worker is replaced
graceful_timeout = 30  # SIGTERM: requests in progress finish, then the worker stops
keepalive = 5  # longer than nothing: the load balancer reuses its connections
max_requests = 2000  # a worker is replaced now and then (WeasyPrint and fonts grow memory)
max_requests_jitter = 200  # not all at once
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn heartbeat file, off the container overlay disk (gunicorn docs)
preload_app = False  # each worker opens its own database connection after the fork
accesslog = None
errorlog = "-"
loglevel = "info"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "stafett.lib.json_log.MaskedJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    },
    # gunicorn merges this into its defaults one level deep: without a root entry of our own it
    # keeps a root that names its own handlers, which this dict replaced, and will not start.
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False}},
}
