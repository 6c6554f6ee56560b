from ..orders.conftest import person, queued, worker  # noqa: F401 - shared fixtures
