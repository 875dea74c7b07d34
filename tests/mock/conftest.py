"""The mock's fixtures for its own self-tests (tests/e2e/conftest.py registers them too)."""
import mock_fixtures


def pytest_configure(config):
    mock_fixtures.register(config)
