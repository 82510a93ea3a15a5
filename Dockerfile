# The jobmatch worker and beat image: `docker compose up` builds it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The project itself (a regular, non-editable install): packages first so a seeds-only change reuses this layer.
COPY pyproject.toml README.md ./
COPY profiles ./profiles
COPY matching ./matching
COPY worker ./worker
RUN pip install . && rm -rf build *.egg-info

# The seeds the role profiles are parsed from, and a private cache folder for the fitted model artefact.
COPY seeds ./seeds
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/jobmatch jobmatch \
    && mkdir -p /var/cache/jobmatch \
    && chown jobmatch:jobmatch /var/cache/jobmatch \
    && chmod 0700 /var/cache/jobmatch
ENV JOBMATCH_SEEDS=/app/seeds \
    JOBMATCH_CACHE_DIR=/var/cache/jobmatch

# Never run as root. Beat keeps its schedule file in the working directory, so it must be writable.
USER jobmatch
WORKDIR /var/lib/jobmatch

# Fit once at build time: the model artefact lands in the cache folder (and in a fresh named volume mounted
# there), so workers start warm; this also fails the build early if the seeds do not parse.
RUN printf 'Machine Learning Engineer\nTrain and ship models.\n' | jobmatch classify - > /dev/null

CMD ["jobmatch", "worker"]
