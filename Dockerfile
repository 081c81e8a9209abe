# The Stackport image: web (uvicorn, `python -m portal.serve`), worker and beat run from it; devcloud too (demo).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev
COPY . .
RUN pip install -c constraints.txt . \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0

RUN useradd --system --home /app stackport && chown -R stackport /app
USER stackport
EXPOSE 8000
CMD ["python", "-m", "portal.serve", "--host", "0.0.0.0", "--port", "8000"]
