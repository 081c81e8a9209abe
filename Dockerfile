# The Stackport image: web (`python -m portal.serve`), the one-shot migrate job, worker and
# beat run from it; devcloud too (the compose demo profile).
#
# Two stages. `build` has Node/npm (the noVNC, SPICE and htmx clients from npm), builds the
# Python environment and collects the static files with hashed, compressed names. The
# runtime stage has neither Node nor npm nor a compiler: the venv, the source tree and the
# collected files, run as an unprivileged user. The code runs from the tree (/app, on
# PYTHONPATH), the same way `make demo` runs it from a checkout: templates and static files
# are where the code looks for them. Nothing of the host's (.env, .venv, var/, .git) is
# copied in: see .dockerignore.
FROM python:3.11-slim-bookworm AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev
# The dependencies alone (pinned), not the project as a package: the code runs from /app.
COPY pyproject.toml constraints.txt ./
RUN python -m venv /opt/venv \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && /opt/venv/bin/pip install -c constraints.txt -r /tmp/requirements.txt
COPY . .
# Collected from the tree and node_modules into /app/staticfiles; node_modules then goes.
RUN PORTAL_STATIC_COLLECTED=1 SECRET_KEY=build-only-not-a-secret \
    /opt/venv/bin/python manage.py collectstatic --noinput -v 0 \
 && rm -rf node_modules

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH PYTHONPATH=/app \
    PORTAL_STATIC_COLLECTED=1 PORTAL_VAR_DIR=/var/lib/stackport \
    PORTAL_BEAT_HEARTBEAT=/var/lib/stackport/beat-heartbeat
RUN useradd --system --uid 10001 --home-dir /var/lib/stackport --create-home stackport \
 && mkdir -p /shared /tmp/prometheus && chown stackport /shared /tmp/prometheus
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
USER stackport
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s \
  CMD ["python", "-m", "portal.healthcheck", "web"]
CMD ["python", "-m", "portal.serve", "--host", "0.0.0.0", "--port", "8000"]
