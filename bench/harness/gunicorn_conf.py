"""gunicorn settings for the benchmarked server (bench/harness/server.py passes the rest).

Given with -c so that a gunicorn.conf.py in the working directory is not read instead.
Workers are never recycled (max_requests 0): the mixed load compares their memory before
and after, and a recycled worker would hide growth.
"""

max_requests = 0
timeout = 60
graceful_timeout = 10
keepalive = 5
backlog = 2048
preload_app = False
errorlog = "-"
loglevel = "warning"
