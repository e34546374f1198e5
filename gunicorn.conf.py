"""gunicorn's settings for the tracker, read by any gunicorn started in this folder (its default
configuration file is ./gunicorn.conf.py): the Dockerfile, docker-compose.yml, the benchmark and
tests/scale/test_two_servers.py. Arguments on the command line (--workers, --bind) still win.

Long downloads: the full CSV export of 130,000 rows streams for seconds, longer to a slow
reader. The default sync worker serves one request at a time and is killed after ``timeout``
seconds without finishing one (30 s by default), which would cut a slow download short. The
threaded worker answers other requests while one thread streams, and its main thread keeps the
worker's heartbeat going whatever a request thread is doing, so ``timeout`` only catches a
worker that has hung, not a long response.
"""

import os

worker_class = "gthread"
# Threads per worker: each holds at most one database connection (Django's are per thread).
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Seconds without a heartbeat before a worker is restarted (a hung worker, not a long response).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# Seconds a worker has to finish its requests on a restart or a deploy.
graceful_timeout = 60
# Keep a load balancer's connection open between requests.
keepalive = 5
