"""One date format per language (FORMAT_MODULE_PATH): "7 December 2026", "7 décembre 2026".

Pages (the `ui` template library) and mails (`notifications.services`) format through
DATE_FORMAT and DATETIME_FORMAT, so every date reads the same way in a language.
"""
