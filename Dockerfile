# Stafett's image (README «Drift»): the web process by default; the worker and the migrations
# run the same image with another command (Procfile, compose.yaml). Not built in CI here (no image
# registry to pull the base from); tests/test_deployment_files.py checks what can be checked.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF and PDF/A archive copies) needs Pango; DejaVu is the font the PDFs use.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin stafett
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY manage.py gunicorn.conf.py Procfile ./
COPY stafett ./stafett

# Static files collected into the image (WhiteNoise serves them). The settings need a secret key
# and a field key to start: throwaway values for this one command, never in the image's ENV.
RUN STAFETT_DEBUG=false \
    SECRET_KEY=collectstatic-only-not-a-secret \
    STAFETT_FIELD_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    STAFETT_VAR_DIR=/tmp/stafett-build \
    python manage.py collectstatic --noinput -v0 \
    && rm -rf /tmp/stafett-build \
    && mkdir /app/var && chown stafett:stafett /app/var

# var/: only what a production setting still points at a directory for (the archive's file
# drop, STAFETT_ARCHIVE_DIR/STAFETT_FIKS_ARKIV_DIR); a volume in compose.yaml.
USER stafett
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "stafett.wsgi"]
