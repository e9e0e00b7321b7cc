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
    PYTHONUNBUFFERED=1
VOLUME /data
EXPOSE 8080
USER klingcord

HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"

CMD ["python", "-m", "bot"]
