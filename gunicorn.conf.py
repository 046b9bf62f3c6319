"""gunicorn's settings for the web process (read from the working directory by every
`gunicorn` command: the Procfile, docker-compose.yml and the Dockerfile).

Threaded workers (`gthread`): a request waiting on a slow client (a 25 MB draft sent at
100 KB/s takes over four minutes) holds one thread, not a whole worker, and the worker
keeps telling the master it is alive, so `timeout` does not cut the upload. A sync worker
would be killed after `timeout` seconds of any single request.
Each value can be changed from the environment (the variable in the comment).
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))  # WEB_THREADS: requests per worker
# A worker silent this long (stuck in C code, not a slow request) is restarted.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))  # WEB_TIMEOUT
graceful_timeout = 30
keepalive = 5
# A request never takes longer than this in the database (see DB_STATEMENT_TIMEOUT in
# the settings): set here for the web process only, not for workers and commands.
os.environ.setdefault("DB_STATEMENT_TIMEOUT", "30")
