"""Every URL of the project, requested by every kind of person, with the expected answer.

A new URL without a row here makes this test fail: decide who may open it, then add it.
Columns follow ``tests.access.ACTORS``:

    anon  admin  chair  o.chair  manager  inv.pro  uninv.pro  parent  o.parent  yp  o.yp
"""

import pytest

from tests.access import ACTORS, all_patterns, build_world, url_for

A, S, F, N, OK = 302, 302, 403, 404, 200  # A: to sign-in; S: elsewhere; F: forbidden; N: not found

EXPECTED: dict[str, list[int]] = {
    # Confer's own pages.
    "start": [OK, S, S, S, S, S, S, S, S, S, S],
    "home": [A, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "meetings:detail": [A, OK, OK, OK, OK, OK, N, OK, N, OK, N],
    "audit:search": [A, F, F, F, OK, F, F, F, F, F, F],
    "participants:staff": [A, OK, F, F, F, F, F, F, F, F, F],
    "participants:families": [A, OK, OK, OK, OK, F, F, F, F, F, F],
    # Subject access: managers only; other staff are refused, and no one else may learn a
    # child's record exists. No export has been made here, so the file is a 404.
    "subject_access": [A, F, F, F, OK, N, N, N, N, N, N],
    "subject_access_file": [A, F, F, F, N, N, N, N, N, N, N],
    "timeliness": [A, F, F, F, OK, N, N, N, N, N, N],
    # Monitoring: health for everyone (numbers only); metrics only with the bearer token.
    "healthz": [OK] * 11,
    # How Confer uses people's information: public, the same for everyone.
    "privacy": [OK] * 11,
    "metrics": [N] * 11,
    "meetings:due": [A, OK, OK, OK, OK, F, F, F, F, F, F],
    "meetings:feed_settings": [A, OK, OK, OK, F, F, F, F, F, F, F],
    # Mail held for a person and emails not delivered: administrators look after them;
    # other staff are refused; no one else learns the page exists.
    "meetings:mail": [A, OK, F, F, F, N, N, N, N, N, N],
    # The feed needs no sign-in: its secret is the URL, and a wrong one is a 404 for all.
    "meetings:feed": [N] * 11,
    # Families are visible to staff only; only administrators schedule.
    "meetings:schedule": [A, OK, F, F, F, N, N, N, N, N, N],
    # Its chair records it as held once it has started; this meeting has not, so the chair is
    # sent back to the meeting page with when it starts (the form is tested once it has).
    "meetings:hold": [A, F, S, F, F, F, N, F, N, F, N],
    "meetings:invite": [A, OK, OK, F, F, F, N, F, N, F, N],
    "meetings:reschedule": [A, OK, OK, F, F, F, N, F, N, F, N],
    "meetings:cancel": [A, OK, OK, F, F, F, N, F, N, F, N],
    # POST-only actions: GET shows who may see the meeting (403) and who may not (404);
    # those allowed get 405 (method not allowed).
    "meetings:invitation_account_invite": [A, 405, F, F, F, F, N, F, N, F, N],
    "meetings:send_invitations": [A, 405, 405, F, F, F, N, F, N, F, N],
    "meetings:invitation_remove": [A, 405, 405, F, F, F, N, F, N, F, N],
    # Only the invited reply; the chair runs the meeting and does not.
    "meetings:respond": [A, F, F, F, F, 405, N, 405, N, 405, N],
    # Only invited professionals write reports; a report not shared is hidden from the family.
    "meetings:report": [A, F, F, F, F, OK, N, F, N, F, N],
    "meetings:report_file": [A, OK, OK, OK, OK, OK, N, N, N, N, N],
    # Minutes of a held meeting of the same family, shared for comment, with the parent's comment.
    "minutes:overview": [A, OK, OK, OK, OK, OK, N, OK, N, OK, N],
    "minutes:start": [A, 405, 405, F, F, F, N, F, N, F, N],
    "minutes:section_edit": [A, OK, OK, F, F, F, N, F, N, F, N],
    "minutes:section_restrict": [A, F, OK, F, F, F, N, F, N, F, N],
    "minutes:section_add_part": [A, F, 405, F, F, F, N, F, N, F, N],
    "minutes:share": [A, F, 405, F, F, F, N, F, N, F, N],
    "minutes:withdraw": [A, F, 405, F, F, F, N, F, N, F, N],
    "minutes:reopen": [A, F, 405, F, F, F, N, F, N, F, N],
    "minutes:approve": [A, F, 405, F, F, F, N, F, N, F, N],
    "minutes:respond": [A, F, OK, F, F, F, N, F, N, F, N],
    "minutes:history": [A, OK, OK, OK, OK, OK, N, F, N, F, N],
    "minutes:distribute": [A, F, 405, F, F, F, N, F, N, F, N],
    # A recipient's own copy of distributed minutes: these are not distributed yet, so no
    # one has a copy (the leak matrix opens real copies).
    "minutes:copy": [A, N, N, N, N, N, N, N, N, N, N],
    # The conference's decision letter: only its chair writes it; no letter is sent here.
    "minutes:decision_letter": [A, F, OK, F, F, F, N, F, N, F, N],
    "minutes:decision_letter_copy": [A, N, N, N, N, N, N, N, N, N, N],
    # Only the family comment; a comment is visible (editable) to its author alone.
    "minutes:comment_add": [A, F, F, F, F, F, N, 405, N, 405, N],
    # "No comments": the family member who may comment first reads what it means (GET),
    # then confirms (POST).
    "minutes:no_comments": [A, F, F, F, F, F, N, OK, N, OK, N],
    "minutes:comment_edit": [A, N, N, N, N, N, N, OK, N, N, N],
    # Feedback after the meeting: the family send it; only the sender's household and
    # managers read it (a complaint may be about anyone else); managers list what waits.
    "minutes:feedback_add": [A, F, F, F, F, F, N, OK, N, OK, N],
    "minutes:feedback_detail": [A, N, N, N, OK, N, N, OK, N, N, N],
    "feedback_list": [A, F, F, F, OK, N, N, N, N, N, N],
    # Record quality: managers and chairs; a chair never audits their own meeting, and only
    # distributed minutes are audited (these are shared, not distributed: a 404).
    "quality": [A, F, OK, OK, OK, N, N, N, N, N, N],
    "minutes:quality_audit": [A, F, F, N, N, N, N, N, N, N, N],
    # The accuracy check: the chair and the professionals who attended (here the invited
    # professional attended); the rest of those who see the meeting are refused.
    "minutes:accuracy": [A, F, OK, F, F, OK, N, F, N, F, N],
    # allauth: sign-in, account and MFA pages (reviewed; they do not depend on a meeting).
    "account_login": [OK, S, S, S, S, S, S, S, S, S, S],
    "account_logout": [S, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "account_inactive": [OK] * 11,
    "account_signup": [OK, S, S, S, S, S, S, S, S, S, S],  # "sign-up is closed"
    "account_reauthenticate": [A, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    # Confirming who you are with an emailed code: for family members and professionals, who
    # sign in that way, once their address is confirmed (nobody's is in this world, so all
    # are sent to the password page; tests/participants/test_accounts.py walks the code).
    # Staff are always sent to their password or authenticator instead.
    "account_request_reauthentication_code": [A, S, S, S, S, S, S, S, S, S, S],
    # Entering that code: with no code requested, everyone signed in is sent to ask for one.
    "account_confirm_reauthentication_code": [A, S, S, S, S, S, S, S, S, S, S],
    "account_email": [A, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "account_email_verification_sent": [OK] * 11,
    "account_change_password": [A, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "account_set_password": [S] * 11,
    "account_reset_password": [OK] * 11,
    "account_confirm_login_code": [S] * 11,
    "account_confirm_email": [OK] * 11,  # an invalid key: "this link has expired"
    "account_reset_password_from_key_done": [OK] * 11,
    "account_reset_password_from_key": [OK] * 11,  # an invalid key: "bad token"
    "account_reset_password_done": [OK] * 11,
    "account_request_login_code": [OK, S, S, S, S, S, S, S, S, S, S],
    "mfa_index": [A, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "mfa_authenticate": [S] * 11,
    "mfa_reauthenticate": [A, OK, OK, OK, OK, S, S, S, S, S, S],
    "mfa_activate_totp": [S] * 11,
    "mfa_deactivate_totp": [A, S, S, S, S, N, N, N, N, N, N],
    "mfa_view_recovery_codes": [A, S, S, S, S, N, N, N, N, N, N],
    "mfa_generate_recovery_codes": [S] * 11,
    "mfa_download_recovery_codes": [A, S, S, S, S, N, N, N, N, N, N],
    # The admin signs in through allauth; a signed-in person who is not an operator is refused.
    "admin:login": [S, F, F, F, F, F, F, F, F, F, F],
}


def expected_for(pattern) -> list[int] | None:
    if pattern.key in EXPECTED:
        return EXPECTED[pattern.key]
    if pattern.key.startswith("admin:") or pattern.route.startswith("admin/"):
        # The Django admin is for the site's operators (superusers) only: every actor in
        # the matrix is sent to sign in as one.
        return [S] * len(ACTORS)
    return None


@pytest.mark.django_db
def test_every_url_answers_every_actor_as_the_matrix_says(client):
    world = build_world()
    problems = []
    patterns = all_patterns()
    assert len(patterns) > 50  # the admin's and allauth's are included
    rows = []
    for pattern in patterns:
        expected = expected_for(pattern)
        if expected is None:
            problems.append(f"{pattern.key} ({pattern.route}): no row in the access matrix")
        else:
            rows.append((pattern, url_for(pattern, world), expected))
    for column, actor in enumerate(ACTORS):
        client.logout()
        if actor != "anonymous":
            client.force_login(world["people"][actor].user)
        for pattern, url, expected in rows:
            got = client.get(url).status_code
            if got != expected[column]:
                problems.append(f"{pattern.key} {url} as {actor}: expected {expected[column]}, got {got}")
    assert problems == []


@pytest.mark.django_db
def test_anonymous_requests_for_private_pages_go_to_sign_in(client):
    world = build_world()
    for name in ("home", "meetings:detail", "audit:search"):
        pattern = next(p for p in all_patterns() if p.key == name)
        response = client.get(url_for(pattern, world))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_the_matrix_has_no_rows_for_urls_that_no_longer_exist():
    keys = {p.key for p in all_patterns()}
    assert sorted(set(EXPECTED) - keys) == []
