from ..orders.conftest import fast_checks, person  # noqa: F401 - shared fixtures
