"""`jobmatch batch`'s three ways to classify a feed, named after their flags, all writing the same bytes:

    inprocess  one process (the default)
    workers    `--workers N`: this process and N - 1 helper processes
    via_queue  `--via-queue`: the service's workers, through Redis
    output     the one step all three end in: write the chunks in input order, show progress, keep the summary

The chunk format they share (result lines and summary, chunk sizes) is `worker.chunks`; reading and classifying
lines is `worker.lines`.
"""
