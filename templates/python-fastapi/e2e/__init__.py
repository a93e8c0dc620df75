"""End-to-end tests: the real server process over real HTTP (`make e2e`)."""
