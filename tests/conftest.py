import pytest
from django.db import connection

from participants.enums import StaffRole
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Slow hashing protects real passwords; in tests it only slows every user creation."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files from one test never land in the project or reach another test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(settings):
    """Each test starts with an empty cache in memory: what one test kept (a page's rows,
    the dashboard's figures) never answers another test whose rows have the same ids, and
    the query counts the tests guard are the database's only, as they are with Redis."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache  # noqa: PLC0415 - the cache of the settings just made

    cache.clear()


@pytest.fixture
def administrator(db):
    return factories.staff(StaffRole.ADMINISTRATOR)


@pytest.fixture
def chair(db):
    return factories.staff(StaffRole.CHAIR)


@pytest.fixture
def other_chair(db):
    return factories.staff(StaffRole.CHAIR)


@pytest.fixture
def manager(db):
    return factories.staff(StaffRole.MANAGER)


@pytest.fixture
def family_and_parent(db):
    return factories.family_with_parent()


@pytest.fixture
def family(family_and_parent):
    return family_and_parent[0]


@pytest.fixture
def parent(family_and_parent):
    return family_and_parent[1]


@pytest.fixture(autouse=True)
def _postgresql_only(request):
    """Tests marked ``postgresql`` exercise what only a server database has (row locks,
    other processes on the same database, dropped connections); on SQLite they skip."""
    if request.node.get_closest_marker("postgresql") and connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL (DATABASE_URL=postgres://...).")
