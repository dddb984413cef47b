from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from dify_plugin import ToolProvider
from dify_plugin.entities.oauth import ToolOAuthCredentials
from dify_plugin.errors.tool import ToolProviderCredentialValidationError
from werkzeug import Request


class ConformanceProvider(ToolProvider):
    def _validate_credentials(self, credentials: dict[str, Any]) -> None:
        if credentials.get("api_key") == "bad-key":
            raise ToolProviderCredentialValidationError("the API key was rejected")

    def _oauth_get_authorization_url(self, redirect_uri: str, system_credentials: Mapping[str, Any]) -> str:
        query = urlencode({"client_id": system_credentials["client_id"], "redirect_uri": redirect_uri})
        return f"https://auth.example.com/authorize?{query}"

    def _oauth_get_credentials(
        self, redirect_uri: str, system_credentials: Mapping[str, Any], request: Request
    ) -> ToolOAuthCredentials:
        code = request.args.get("code")
        if code == "denied":
            raise ValueError("the authorization was denied")
        return ToolOAuthCredentials(credentials={"access_token": f"token-for-{code}"}, expires_at=1767225600)

    def _oauth_refresh_credentials(
        self, redirect_uri: str, system_credentials: Mapping[str, Any], credentials: Mapping[str, Any]
    ) -> ToolOAuthCredentials:
        return ToolOAuthCredentials(credentials={"access_token": f"{credentials['access_token']}-refreshed"})
