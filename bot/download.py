"""Fetching a finished video: only from public addresses, streamed to a temporary file in this
instance's own directory, never whole in memory, and abandoned as soon as it is known to be
larger than the place it is going to accepts.

The address a result names comes from outside (a callback, or Kling's answer to a poll), and
whatever is fetched is uploaded into Discord. So the bot fetches only from public addresses:
every address a host name resolves to is checked, and the connection goes to the address that
was checked (the check sits in the connector's resolver, so a DNS answer that changes between
check and connect cannot slip through). Redirects are followed by hand, at most
`MAX_REDIRECTS`, each target checked the same way. An operator may name hosts they trust
(TRUSTED_VIDEO_HOSTS), which are fetched from wherever they are.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import os
import re
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not covered by the stdlib's is_private in every Python version, so named here.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, shared address space
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv4 reached through a NAT64 gateway


class VideoTooLarge(Exception):
    """The video exceeds the cap. `size` is its size when the server said it, else None."""

    def __init__(self, size: int | None, cap: int) -> None:
        self.size = size
        self.cap = cap
        super().__init__(f"video is larger than {cap} bytes")


class DownloadFailed(Exception):
    """The file could not be fetched (HTTP error or connection trouble)."""


class UnsafeVideoUrl(Exception):
    """The video is at an address the bot must not fetch from (not public, not trusted, or
    behind too many redirects). Nothing was fetched from it, and its link is not worth
    posting either: the job fails with a refund, and the operator is told which host."""

    def __init__(self, host: str, reason: str) -> None:
        self.host = host
        self.reason = reason
        super().__init__(f"{host}: {reason}")


@dataclass(frozen=True)
class DownloadedVideo:
    """A fetched video: the temporary file (gone after the `download` block) and its size in
    bytes."""

    path: Path
    size: int


# -- which addresses are public ---------------------------------------------------------------


def address_refusal(address: IPAddress) -> str | None:
    """Why the bot must not fetch from `address` ("loopback", "private", ...), or None when it
    is a public address. IPv6 forms that carry an IPv4 address (mapped, 6to4, NAT64) are
    judged by the IPv4 address they lead to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(embedded)
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address in _CGNAT, "shared (CGNAT)"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (isinstance(address, ipaddress.IPv6Address) and address.is_site_local, "site-local"),
    )
    for refused, reason in checks:
        if refused:
            return reason
    return None if address.is_global else "non-public"


def canonical_host(host: str) -> str:
    """A host name or IP address as the trust list and the checks compare it: lower case, no
    trailing dot, no IPv6 brackets, IP addresses in their one standard spelling."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def literal_address(host: str) -> IPAddress | None:
    """The IP address `host` spells, legacy IPv4 forms included (`2130706433`, `127.1`,
    `0x7f.1`), which some resolvers accept; None for a host name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fx.]+", host) and re.search(r"[0-9]", host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


class PublicOnlyResolver(AbstractResolver):
    """The default resolver, refusing a host any of whose addresses is not public.

    aiohttp connects to the addresses this returns, so the addresses checked are the ones
    connected to: a second DNS answer has no say. Trusted hosts are resolved unchecked.
    """

    def __init__(self, trusted: frozenset[str], inner: AbstractResolver | None = None) -> None:
        self.trusted = trusted
        self.inner = inner or aiohttp.DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        """The host's addresses; raises `UnsafeVideoUrl` when any of them is not public (a
        trusted host is not checked)."""
        results = await self.inner.resolve(host, port, family)
        if canonical_host(host) in self.trusted:
            return results
        for result in results:
            try:
                address = ipaddress.ip_address(result["host"])
            except ValueError:
                raise UnsafeVideoUrl(host, f"resolves to {result['host']!r}") from None
            reason = address_refusal(address)
            if reason is not None:
                raise UnsafeVideoUrl(host, f"resolves to {address}, a {reason} address")
        return results

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self.inner.close()


# -- the instance's temporary directory ---------------------------------------------------------


def video_directory(root: Path, instance_id: str) -> Path:
    """This instance's own folder for videos being fetched, under `root`. Processes sharing a
    host have different INSTANCE_IDs, so none empties another's folder at its start."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", instance_id).lstrip(".")[:80] or "_"
    if safe != instance_id:
        # Two ids that differ only in the characters replaced must not share a folder.
        safe += "-" + hashlib.sha256(instance_id.encode()).hexdigest()[:8]
    return root / f"klingcord-videos-{safe}"


def prepare_directory(directory: Path) -> None:
    """Create the folder (private to this user), or empty it of the files a killed process
    left behind. Refuse a folder that is not ours, or a symbolic link to somewhere else."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = directory.lstat()
    if directory.is_symlink() or not directory.is_dir() or (
            hasattr(os, "getuid") and status.st_uid != os.getuid()):
        raise OSError(f"{directory} is not a folder of this user")
    left = 0
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        left += 1
    if left:
        log.info("Removed %d temporary file(s) left in %s by an earlier run", left, directory)


# -- fetching -------------------------------------------------------------------------------------


class VideoFetcher:
    """Downloads results for one instance: public addresses (and trusted hosts) only, into
    the instance's own temporary folder. It has its own HTTP session, because its connector
    refuses what the Kling API client (often on a private network in tests and in some
    deployments) must be able to reach."""

    def __init__(self, directory: Path, trusted_hosts: frozenset[str] = frozenset(), *,
                 max_redirects: int = MAX_REDIRECTS, dns: AbstractResolver | None = None
                 ) -> None:
        self.directory = directory
        self.dns = dns
        self.trusted = frozenset(canonical_host(h) for h in trusted_hosts)
        # Exact (host, port) pairs trusted beside the hosts: the simulated Kling's own
        # address (KLING_API_BASE=simulated), and no other port of that host.
        self.trusted_origins: set[tuple[str, int]] = set()
        self.max_redirects = max_redirects
        self._session: aiohttp.ClientSession | None = None

    def trust_origin(self, host: str, port: int) -> None:
        """Fetch from exactly `host`:`port` although it is not public (the simulated Kling)."""
        self.trusted_origins.add((canonical_host(host), port))

    def prepare(self) -> None:
        """Create or empty the temporary folder (at start, before any download)."""
        prepare_directory(self.directory)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = PublicOnlyResolver(self.trusted, self.dns)
            connector = aiohttp.TCPConnector(resolver=resolver)
            # trust_env stays False: a proxy from the environment would connect on our behalf
            # to addresses this connector never sees.
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (a later download opens a new one)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def check_url(self, url: URL) -> None:
        """Refuse what the resolver never sees: other schemes, and hosts written as an IP
        address (aiohttp connects to those without resolving them)."""
        host = canonical_host(url.raw_host or "")
        if url.scheme not in ("http", "https") or not host:
            raise UnsafeVideoUrl(host or str(url)[:100], "not an http(s) address")
        if host in self.trusted or (host, url.port) in self.trusted_origins:
            return
        address = literal_address(host)
        if address is not None:
            reason = address_refusal(address)
            if reason is not None:
                raise UnsafeVideoUrl(host, f"a {reason} address")

    async def _open(self, url: str) -> aiohttp.ClientResponse:
        """GET `url`, following up to `max_redirects` redirects, each target checked."""
        target = URL(url)
        for _ in range(self.max_redirects + 1):
            self.check_url(target)
            response = await self._http().get(target, allow_redirects=False)
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES or not location:
                return response
            response.close()
            try:
                target = response.url.join(URL(location))
            except ValueError:
                raise DownloadFailed("unreadable redirect") from None
        raise UnsafeVideoUrl(canonical_host(target.raw_host or ""),
                             f"more than {self.max_redirects} redirects")

    async def _fetch(self, url: str, sink: BinaryIO, max_bytes: int) -> int:
        """Stream the video into `sink`; return its size."""
        size = 0
        try:
            async with await self._open(url) as response:
                if response.status >= 300:
                    raise DownloadFailed(f"HTTP {response.status}")
                declared = response.content_length
                if declared is not None and declared > max_bytes:
                    raise VideoTooLarge(declared, max_bytes)
                async for chunk in response.content.iter_chunked(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise VideoTooLarge(declared, max_bytes)
                    sink.write(chunk)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DownloadFailed(type(exc).__name__) from None
        return size

    @asynccontextmanager
    async def download(self, url: str, *, max_bytes: int, total_seconds: float = 300.0
                       ) -> AsyncIterator[DownloadedVideo]:
        """Download `url` into a temporary file that exists for the `async with` block only.

        Raises `UnsafeVideoUrl` (nothing fetched), `VideoTooLarge` or `DownloadFailed`.
        """
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="video-", suffix=".mp4", dir=self.directory)
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as sink:
                try:
                    async with asyncio.timeout(total_seconds):
                        size = await self._fetch(url, sink, max_bytes)
                except TimeoutError:
                    raise DownloadFailed("TimeoutError") from None
            yield DownloadedVideo(path, size)
        finally:
            path.unlink(missing_ok=True)  # noqa: ASYNC240 - a local unlink is instant
