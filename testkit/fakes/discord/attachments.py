"""Attachments: stored uploads with signed, expiring CDN URLs, and the CDN that serves them.

Both the bot's uploads (``files[n]`` parts) and a fake user's files (a slash-command option, a
message) become attachment objects here, so the bot downloads them back the way it would from
Discord's CDN, expiry included.
"""

from __future__ import annotations

import mimetypes
import secrets
import time

from aiohttp import web

from testkit.fakes.discord.models import JSON
from testkit.fakes.discord.records import UploadedFile
from testkit.fakes.discord.state import FakeState


class Attachments:
    """Stores attachment bytes in ``state.attachment_blobs`` and serves them."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    def store(self, channel_id: int, filename: str, data: bytes, content_type: str | None,
              description: str | None = None, width: int | None = None,
              height: int | None = None) -> JSON:
        """Keep ``data`` and answer its attachment object (URL signed until the lifetime)."""
        state = self._state
        att_id = state.ids.next()
        state.attachment_blobs[att_id] = data
        ctype = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        issued = int(time.time())
        sig = f"?ex={issued + int(state.attachment_url_lifetime):x}&is={issued:x}" \
              f"&hm={secrets.token_hex(16)}&"
        path = f"/attachments/{channel_id}/{att_id}/{filename}"
        out: JSON = {
            "id": str(att_id),
            "filename": filename,
            "size": len(data),
            "url": f"{state.base_url}{path}{sig}",
            "proxy_url": f"{state.base_url}{path}{sig}",
            "content_type": ctype,
            "content_scan_version": 0,
        }
        if description:
            out["description"] = description
        if width is not None:
            out.update(width=width, height=height)
        return out

    def from_uploads(self, channel_id: int, body: JSON, files: list[UploadedFile],
                     keep: list[JSON]) -> list[JSON]:
        """Attachment objects for uploaded ``files[n]`` (metadata from ``attachments``)."""
        meta = {str(a.get("id")): a for a in body.get("attachments") or []}
        out = list(keep)
        for upload in files:
            index = upload.field_name.removeprefix("files[").removesuffix("]")
            info = meta.get(index, {})
            filename = info.get("filename") or upload.filename
            out.append(self.store(channel_id, filename, upload.data, upload.content_type,
                                  info.get("description")))
        return out

    async def handle_cdn(self, request: web.Request) -> web.StreamResponse:
        """CDN stand-in: serves stored attachments until their signed URL expires."""
        expires = request.query.get("ex")
        if expires and int(expires, 16) < time.time():
            return web.Response(status=404, text="This content is no longer available.")
        blob = self._state.attachment_blobs.get(int(request.match_info["attachment_id"]))
        if blob is None:
            return web.Response(status=404, text="Not Found")
        ctype = mimetypes.guess_type(request.match_info["filename"])[0]
        return web.Response(body=blob, content_type=ctype or "application/octet-stream")


def image_link_embed(url: str, width: int | None = None, height: int | None = None) -> JSON:
    """The embed Discord unfurls from a link to an image: type "image", the picture in
    `thumbnail` (with the dimensions Discord read, no size in bytes), `url` the link."""
    thumbnail: JSON = {"url": url, "proxy_url": f"https://images-ext-1.discordapp.net/external/"
                                                 f"{secrets.token_hex(8)}/{url.split('://')[-1]}"}
    if width is not None and height is not None:
        thumbnail.update(width=width, height=height)
    return {"type": "image", "url": url, "thumbnail": thumbnail}
