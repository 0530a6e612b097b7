"""gunicorn settings for shegong: `gunicorn -c /opt/shegong/deploy/gunicorn.conf.py shegong.wsgi`.

Each value can be overridden from the environment (the systemd unit reads /etc/shegong/env) or the command line.
"""

import multiprocessing
import os

# nginx on the same host proxies to this address (deploy/nginx/shegong.conf).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: each request holds one worker and one database connection; 2 per core plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# Large imports and exports run in the task worker, so a request never needs long. On SQLite, keep it above
# SHEGONG_SQLITE_TIMEOUT (docs/operations.md).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so slow leaks never accumulate.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Uploads (rosters up to 30 MB) are buffered by nginx; gunicorn reads them from the local socket.
limit_request_line = 8190
# Only nginx on this host may set X-Forwarded-Proto (HTTPS detection); shegong reads X-Forwarded-For itself
# (SHEGONG_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs to journald through stdout/stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Each worker opens its own database connections after the fork.
preload_app = False
proc_name = "shegong"
