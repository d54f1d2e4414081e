"""The console of ``serve``: what the simulator tells the developer while it runs (one line per webhook
attempt, per failed scenario run, per clock move), as text for a terminal or JSON lines for CI.

``logging_config`` is handed to uvicorn (``log_config``), so its own lines (start-up, errors, the access
log when asked for) come out in the same format on the same stream.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

LOGGERS = ("mock_server", "uvicorn", "uvicorn.error", "uvicorn.access")
FORMATS = ("text", "json")
# What every LogRecord has: anything else on a record came as ``extra`` and goes into the JSON line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "color_message",
                                                                          "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (wall clock), level, logger, message, and the record's own fields
    (``event``, ``status_code``, ``latency_ms``, …) for a CI job to filter on."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(level: str = "info", fmt: str = "text") -> dict:
    """A ``logging.config.dictConfig`` for the simulator's and uvicorn's loggers, at ``level``."""
    formatter = ({"()": f"{__name__}.JsonFormatter"} if fmt == "json"
                 else {"format": "%(asctime)s %(levelname)-7s %(message)s", "datefmt": "%H:%M:%S"})
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"console": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console", "stream": "ext://sys.stderr"}},
        "loggers": {name: {"handlers": ["console"], "level": level.upper(), "propagate": False} for name in LOGGERS},
    }
