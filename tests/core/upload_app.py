"""A WSGI application for the web server test: reads the whole request body, answers its
length (the web server's workers and timeouts are what is tested, not Django)."""


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    received = 0
    while received < length:
        chunk = environ["wsgi.input"].read(min(65536, length - received))
        if not chunk:
            break
        received += len(chunk)
    body = str(received).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
