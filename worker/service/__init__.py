"""The service: Celery workers on Redis that classify submitted, streamed and polled postings and publish results.

names      the task names and the queue (a leaf module: what senders need without the tasks)
app        the Celery app built from the settings (`celery -A worker.service.app worker`)
tasks      the tasks, thin: plain data in, `handling` does the work
handling   classifying inside a worker process: its classifier and store, poison isolation
bootstep   the worker's own step: heartbeat and intake reader threads
heartbeat  who is alive, with which model version
intake     the intake stream read in a consumer group
polling    configured sources, polled on beat's schedule
client     the importable client (`from worker import Client`)
redisconn  Redis connections, masked URLs
store/     the Redis key names, the result store, its Lua scripts
"""
