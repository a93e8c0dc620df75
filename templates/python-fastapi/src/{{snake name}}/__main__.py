"""`python -m <package>`: serve the app with uvicorn on $HOST:$PORT (default 127.0.0.1:8080)."""

import os

import uvicorn

from .main import create_app


def main() -> None:
    # log_config=None leaves logging to create_app, which emits JSON lines;
    # uvicorn's access log is off because our middleware logs every request.
    uvicorn.run(
        create_app,
        factory=True,
        # Loopback unless told otherwise: the container image sets HOST=0.0.0.0.
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8080")),
        log_config=None,
        access_log=False,
        # The client address is the socket peer: X-Forwarded-For is not trusted by default,
        # since the per-IP rate limit keys on it (see routing.client_ip).
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
