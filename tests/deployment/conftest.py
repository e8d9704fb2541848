import os

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL


@pytest.fixture(scope="module")
def database(request):
    """A PostgreSQL database of the test module's own."""
    if not PG_URL:
        pytest.skip("the deployment runs on PostgreSQL: set IVR_TEST_POSTGRES_URL")
    name = f"ivr_deploy_{request.module.__name__.rsplit('.', 1)[-1][5:]}_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
