import pytest

pytestmark = pytest.mark.django_db


def test_start_page_is_served_and_shows_no_records(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<h1>Confer</h1>" in response.content
    assert b"Sign in" in response.content


def test_admin_login_page_is_served(client):
    assert client.get("/admin/login/").status_code == 200
