import logging
import logging.config

import pytest

from meetings.log_filters import RedactFeedTokens

RAW = "s3cr3t-t0ken-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


@pytest.mark.parametrize("name", ["django.request", "django.server", "gunicorn.access"])
def test_request_loggers_redact_feed_tokens(name, settings):
    # the configuration as the process starts it (an earlier test's worker or capture may
    # have added handlers of its own to these loggers)
    logging.config.dictConfig(settings.LOGGING)
    logger = logging.getLogger(name)
    record = logger.makeRecord(
        name, logging.INFO, __file__, 1, '"GET /calendar/feed/%s.ics HTTP/1.1" 200', (RAW,), None
    )

    handlers = logger.handlers or logging.getLogger().handlers
    filters = [*logger.filters, *(f for h in handlers for f in h.filters)]
    for item in filters:
        item.filter(record)

    assert any(isinstance(item, RedactFeedTokens) for item in filters)
    assert RAW not in record.getMessage()
    assert "/calendar/feed/s3cr3t…" in record.getMessage()
