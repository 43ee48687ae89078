"""WeasyPrint fetches nothing from the network or the file system: only our own assets, from memory."""

from __future__ import annotations

from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

ASSET_SCHEME = "rekindle-asset:"


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serve the package's own assets by name; refuse (and remember) every other URL."""

    def __init__(self, assets: dict[str, tuple[bytes, str]] | None = None) -> None:
        super().__init__(allowed_protocols=())
        self.assets = assets or {}
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Give an asset, or raise for anything else (file://, http://, data:, ...)."""
        if url.startswith(ASSET_SCHEME):
            name = url[len(ASSET_SCHEME) :].lstrip("/")
            if name in self.assets:
                body, mime = self.assets[name]
                return URLFetcherResponse(url, body, {"Content-Type": mime})
        self.refused.append(url)
        raise URLFetchingError(f"refused to fetch {url!r}: reports only use their own assets")
