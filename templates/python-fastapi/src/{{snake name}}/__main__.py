"""`python -m <package>`: serve the app with uvicorn on $PORT (default 8080)."""

import os

import uvicorn

from .main import create_app


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    # log_config=None leaves logging to create_app, which emits JSON lines;
    # uvicorn's access log is off because our middleware logs every request.
    uvicorn.run(
        create_app,
        factory=True,
        host=os.environ.get("HOST", "0.0.0.0"),  # noqa: S104 - a container must listen on all interfaces
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
