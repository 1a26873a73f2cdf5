"""OAuth2 (XOAUTH2) for the support mailbox, as far as it can be tested without Microsoft:
the token cache lives in the keyring (a fake OS keyring here), a missing sign-in is a clear
status line, and the XOAUTH2 login is really attempted against the IMAP server (pymap does
not offer XOAUTH2, so it refuses it, and that is reported, not raised)."""

from __future__ import annotations

import keyring
import msal
import pytest
from keyring.backend import KeyringBackend

from desktop_helpdesk.services.mail_imap import poll_mailbox
from desktop_helpdesk.services.mail_oauth import (
    KEYRING_SERVICE,
    OAuthError,
    access_token,
    load_cache,
    save_cache,
)
from tests.imap_server import USER, running_imap_server


class MemoryKeyring(KeyringBackend):
    """A fake OS keyring (the OS is a peer we may fake)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    fake = MemoryKeyring()
    keyring.set_keyring(fake)
    yield fake
    keyring.set_keyring(previous)


def oauth_settings(services, team, **extra):
    values = {"imap_host": "127.0.0.1", "imap_username": USER, "imap_auth": "oauth2",
              "imap_oauth_client_id": "00000000-0000-0000-0000-000000000001",
              "imap_oauth_authority": "https://login.microsoftonline.com/organizations"}
    values.update(extra)
    return services.settings.update(team.admin, **values)


def test_the_token_cache_round_trips_through_the_keyring(services, team, memory_keyring):
    settings = oauth_settings(services, team)
    cache = load_cache(settings)
    cache.add({"client_id": settings.imap_oauth_client_id, "scope": ["IMAP.AccessAsUser.All"],
               "token_endpoint": "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
               "response": {"access_token": "at", "refresh_token": "rt", "expires_in": 3600,
                            "token_type": "Bearer"}})
    save_cache(settings, cache)

    stored = memory_keyring.get_password(KEYRING_SERVICE, USER)
    again = load_cache(settings)
    assert stored and "rt" in stored
    assert isinstance(again, msal.SerializableTokenCache)
    assert list(again.search(msal.TokenCache.CredentialType.REFRESH_TOKEN))


def test_without_a_sign_in_the_poll_says_what_to_run(services, team, memory_keyring, tmp_path):
    settings = oauth_settings(services, team)
    with pytest.raises(OAuthError, match="run 'desktop-helpdesk mail sign-in'"):
        access_token(settings)
    with running_imap_server(tmp_path) as server:
        oauth_settings(services, team, imap_port=server.port, imap_security="starttls")
        report = poll_mailbox(services.mail_intake, services.context, ssl_context=server.ssl_context())
    assert not report.ok and "no OAuth2 sign-in for demouser" in report.status_line
    oauth_settings(services, team, imap_oauth_client_id="")
    with pytest.raises(OAuthError, match="application \\(client\\) id"):
        access_token(services.context.settings())


def test_xoauth2_login_is_attempted_and_a_refusal_is_a_status_line(services, team, tmp_path):
    with running_imap_server(tmp_path) as server:
        oauth_settings(services, team, imap_port=server.port, imap_security="starttls")
        tokens = []

        def token(settings):
            tokens.append(settings.imap.username)
            return "not-a-real-token"

        report = poll_mailbox(services.mail_intake, services.context, ssl_context=server.ssl_context(),
                              token_provider=token, environ={})

    assert tokens == [USER]
    assert not report.ok
    assert "refused the login" in report.status_line and "mail sign-in" in report.status_line
