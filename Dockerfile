# klingcord: one process, SQLite on a volume, no other service needed.
FROM python:3.11-slim

# Fonts for the prompt the simulated Kling draws on its test videos (KLING_API_BASE=simulated):
# Nanum for Hangul and Latin, DejaVu as the fallback. FFmpeg itself comes with the Python
# install (imageio-ffmpeg).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-nanum fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 klingcord \
    && mkdir /data && chown klingcord /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-cache-dir .

ENV DATABASE_URL=sqlite:////data/klingcord.db \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    METRICS_HOST=127.0.0.1 \
    METRICS_PORT=9464 \
    PYTHONUNBUFFERED=1
VOLUME /data
# 8080: Kling callbacks (public). The operator address (9464) is loopback unless set otherwise.
EXPOSE 8080
USER klingcord

# The health check asks the operator address from inside the container (loopback), with the
# bearer token when METRICS_TOKEN is set; the public port answers only Kling's callbacks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD python -c "import os, sys, urllib.request as u; t = os.environ.get('METRICS_TOKEN'); r = u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('METRICS_PORT', '9464'), headers={'Authorization': 'Bearer ' + t} if t else {}); sys.exit(u.urlopen(r, timeout=4).status != 200)"

CMD ["python", "-m", "bot"]
