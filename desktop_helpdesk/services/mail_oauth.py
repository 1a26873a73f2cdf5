"""OAuth2 for the support mailbox (Microsoft 365 XOAUTH2): msal device-code sign-in by an
admin, the token cache kept in this computer's keyring, silent refresh for each poll."""

from __future__ import annotations

from collections.abc import Callable

from desktop_helpdesk.services.context import TeamSettings

KEYRING_SERVICE = "DesktopHelpdesk IMAP OAuth2"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com/organizations"
# Exchange Online IMAP, delegated; offline_access is added by msal for the refresh token.
IMAP_SCOPES = ["https://outlook.office.com/IMAP.AccessAsUser.All"]


class OAuthError(Exception):
    """No usable token: not signed in, sign-in refused, or the keyring is unavailable."""


def _keyring():
    try:
        import keyring
    except ImportError as exc:  # pragma: no cover - keyring is a runtime dependency
        raise OAuthError("the keyring package is missing; reinstall Desktop Helpdesk") from exc
    return keyring


def _require_client_id(settings: TeamSettings) -> None:
    if not settings.imap_oauth_client_id:
        raise OAuthError("OAuth2 needs the application (client) id of the app registered for "
                         "the mailbox: set it in Administration → Settings")


def _application(settings: TeamSettings, cache):
    import msal

    _require_client_id(settings)
    try:
        # msal reads the authority's metadata over HTTPS here.
        return msal.PublicClientApplication(
            settings.imap_oauth_client_id,
            authority=settings.imap_oauth_authority or DEFAULT_AUTHORITY,
            token_cache=cache,
        )
    except Exception as exc:  # noqa: BLE001 - requests/msal raise many types; one sentence for all
        raise OAuthError(f"the sign-in service cannot be reached ({type(exc).__name__}); "
                         "retrying at the next poll") from exc


def _signed_in(cache, username: str) -> bool:
    import msal

    accounts = cache.search(msal.TokenCache.CredentialType.ACCOUNT)
    return any(account.get("username", "").lower() == username.lower() for account in accounts)


def load_cache(settings: TeamSettings):
    """The msal token cache for the mailbox user, read from the keyring (empty if none).

    Raises:
        OAuthError: the keyring cannot be read.
    """
    import msal

    cache = msal.SerializableTokenCache()
    try:
        stored = _keyring().get_password(KEYRING_SERVICE, settings.imap.username)
    except Exception as exc:  # noqa: BLE001 - every keyring backend raises its own errors
        raise OAuthError(f"this computer's keyring cannot be read ({exc})") from exc
    if stored:
        cache.deserialize(stored)
    return cache


def save_cache(settings: TeamSettings, cache) -> None:
    """Write the token cache back to the keyring when msal changed it.

    Raises:
        OAuthError: the keyring cannot be written.
    """
    if not cache.has_state_changed:
        return
    try:
        _keyring().set_password(KEYRING_SERVICE, settings.imap.username, cache.serialize())
    except Exception as exc:  # noqa: BLE001
        raise OAuthError(f"this computer's keyring cannot be written ({exc})") from exc


def access_token(settings: TeamSettings) -> str:
    """A fresh access token for XOAUTH2, refreshed silently from the cached refresh token.

    Args:
        settings: the intake settings (user, client id, authority).

    Returns:
        The bearer token.

    Raises:
        OAuthError: not signed in on this computer, or the refresh was refused (the message
            says to run ``desktop-helpdesk mail sign-in``).
    """
    _require_client_id(settings)
    cache = load_cache(settings)
    # Checked in the cache first: without a sign-in there is nothing to ask the network for.
    if not _signed_in(cache, settings.imap.username):
        raise OAuthError(f"no OAuth2 sign-in for {settings.imap.username} on this computer: "
                         "run 'desktop-helpdesk mail sign-in'")
    app = _application(settings, cache)
    accounts = app.get_accounts(username=settings.imap.username)
    if not accounts:
        raise OAuthError(f"no OAuth2 sign-in for {settings.imap.username} on this computer: "
                         "run 'desktop-helpdesk mail sign-in'")
    try:
        result = app.acquire_token_silent(IMAP_SCOPES, account=accounts[0])
    except Exception as exc:  # noqa: BLE001
        raise OAuthError(f"the sign-in service cannot be reached ({type(exc).__name__}); "
                         "retrying at the next poll") from exc
    save_cache(settings, cache)
    if not result or "access_token" not in result:
        reason = (result or {}).get("error_description", "the token expired")
        raise OAuthError(f"OAuth2 refresh refused for {settings.imap.username} ({reason}): "
                         "run 'desktop-helpdesk mail sign-in'")
    return result["access_token"]


def device_code_sign_in(settings: TeamSettings, show: Callable[[str], None]) -> None:
    """Sign the mailbox in with the device-code flow and keep the tokens in the keyring.

    Args:
        settings: the intake settings.
        show: shows msal's instruction ("go to https://microsoft.com/devicelogin, enter ...").

    Raises:
        OAuthError: the flow could not start or the sign-in was refused or timed out.
    """
    cache = load_cache(settings)
    app = _application(settings, cache)
    try:
        flow = app.initiate_device_flow(scopes=IMAP_SCOPES)
    except Exception as exc:  # noqa: BLE001
        raise OAuthError(f"the sign-in service cannot be reached ({type(exc).__name__})") from exc
    if "user_code" not in flow:
        raise OAuthError(f"device sign-in could not start: {flow.get('error_description', flow)}")
    show(flow["message"])
    try:
        result = app.acquire_token_by_device_flow(flow)
    except Exception as exc:  # noqa: BLE001
        raise OAuthError(f"the sign-in service cannot be reached ({type(exc).__name__})") from exc
    if "access_token" not in result:
        raise OAuthError(f"sign-in refused: {result.get('error_description', result.get('error'))}")
    save_cache(settings, cache)
