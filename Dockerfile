FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md manage.py ./
COPY platform ./platform
COPY agents ./agents
COPY rooms ./rooms
COPY frontend ./frontend
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 1000 voice \
    && DEBUG=1 python manage.py collectstatic --noinput
USER voice
EXPOSE 8000
# uvicorn with the room protocol carries twice daphne's real-time sessions per process (README,
# "Performance"); `daphne -b 0.0.0.0 -p 8000 config.asgi:application` is the other supported server.
CMD ["uvicorn", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--loop", "uvloop", \
     "--ws", "config.uvicorn_websocket:RoomWebSocketProtocol", "--lifespan", "off", "--no-access-log", \
     "--log-level", "warning"]
