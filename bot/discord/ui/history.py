"""A member's recent videos, as a private, paged list: `/video history` (their own) and the job
page of a moderator's `/quota show` (a member's).

The pages are rendered once, when the list is asked for, in the asker's language, and kept in
a `HistoryPager` view that lives a few minutes: the list is a private glance, not a post that
must outlive a restart, so it needs no persistent buttons (and no store read per page). Only
the member who asked may turn its pages; the check is made on every press, whatever the client
showed.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.discord.i18n.languages import speaking_to
from bot.discord.i18n.limits import EMBED_DESCRIPTION_LIMIT, MESSAGE_LIMIT
from bot.discord.i18n.render import shown_prompt
from bot.discord.i18n.texts import clip, text
from bot.discord.interactions import jump_url, send_ephemeral
from bot.discord.posting.cards import fit_lines
from bot.store import Job, JobState, JobStore

log = logging.getLogger(__name__)

HISTORY_LIMIT = 25  # the jobs a history shows
PAGE_SIZE = 15  # jobs per page: 25 jobs are two pages, each well under an embed's limit
PROMPT_CLIP = 60
PAGER_TIMEOUT = 600.0  # seconds the page buttons answer; the list is asked for again after


def job_link(job: Job) -> str | None:
    """Where to jump for a job: its result when it was posted, else its status card; none
    for a video a moderator removed."""
    if job.removed:
        return None
    if job.result_message_id is not None:
        return jump_url(job.guild_id, job.result_channel, job.result_message_id)
    if job.status_message_id is not None:
        return jump_url(job.guild_id, job.channel_id, job.status_message_id)
    return None


def history_line(job: Job) -> str:
    """One job: when, how it stands, its prompt on one clipped line, model, cost and link."""
    prompt = shown_prompt(job, PROMPT_CLIP, one_line=True)
    link = job_link(job)
    return text("history.line", created=f"<t:{int(job.created_at)}:d>",
                state=text("history.removed") if job.removed
                else text(f"history.state.{job.state.value}"), prompt=prompt,
                model=job.model,
                # Failed jobs were refunded; a late result was delivered free.
                cost=0 if job.state is JobState.FAILED or job.late else job.cost,
                link=f" · {_hidden(job, text('history.open', link=link))}" if link else "")


def _hidden(job: Job, shown: str) -> str:
    """A spoiler video's link behind a spoiler, as its post is."""
    return f"||{shown}||" if job.spoiler else shown


def history_pages(jobs: list[Job], user_id: int) -> list[discord.Embed]:
    """The jobs as embeds of `PAGE_SIZE` lines each (one page saying "none" when empty)."""
    title = text("history.title", count=len(jobs))
    chunks = [jobs[i:i + PAGE_SIZE] for i in range(0, len(jobs), PAGE_SIZE)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks, 1):
        lines = [text("history.whose", user_id=user_id)]
        lines += [history_line(job) for job in chunk] or [text("history.none")]
        embed = discord.Embed(title=title,
                              description=fit_lines(lines, EMBED_DESCRIPTION_LIMIT))
        embed.set_footer(text=text("history.page", page=number, pages=len(chunks)))
        pages.append(embed)
    return pages


class HistoryPager(discord.ui.View):
    """Previous / Next over pre-rendered pages, for the member who asked (`owner_id`) only."""

    def __init__(self, pages: list[discord.Embed], owner_id: int) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.pages = pages
        self.owner_id = owner_id
        self.page = 0
        # The interaction whose answer carries the pages, to grey the buttons out at the end.
        self.origin: discord.Interaction[Any] | None = None
        self.previous.label = text("history.previous")
        self.next.label = text("history.next")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def on_timeout(self) -> None:
        """Grey the buttons out: a press after this would get no answer."""
        if self.origin is None:
            return
        for button in (self.previous, self.next):
            button.disabled = True
        try:
            await self.origin.edit_original_response(view=self)
        except discord.HTTPException as exc:
            log.debug("Could not end a history's buttons (%s)", exc.status)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Only the member whose history it is may turn its pages; anyone else is told privately."""
        if interaction.user.id == self.owner_id:
            return True
        with speaking_to(interaction):
            await send_ephemeral(interaction, text("history.not_yours"))
        return False

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = max(0, min(len(self.pages) - 1, self.page + step))
        self._update_buttons()
        await interaction.response.edit_message(embed=self.pages[self.page], view=self)

    @discord.ui.button(label="<", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any],
                       button: discord.ui.Button[Any]) -> None:
        """Show the page before this one."""
        await self._turn(interaction, -1)

    @discord.ui.button(label=">", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any],
                   button: discord.ui.Button[Any]) -> None:
        """Show the page after this one."""
        await self._turn(interaction, 1)


async def history_reply(store: JobStore, guild_id: int, user_id: int, viewer_id: int
                        ) -> tuple[discord.Embed, HistoryPager | None]:
    """The first page of `user_id`'s history and, when there is more than one page, the pager
    that only `viewer_id` may turn."""
    jobs = await store.member_jobs(guild_id, user_id, limit=HISTORY_LIMIT)
    pages = history_pages(jobs, user_id)
    return pages[0], HistoryPager(pages, viewer_id) if len(pages) > 1 else None


async def show_history(store: JobStore, interaction: discord.Interaction[Any], user_id: int, *,
                       content: str | None = None) -> None:
    """Answer privately with `user_id`'s recent jobs in this server (under `content`, when
    given: a moderator's `/quota show` puts the member's credits there)."""
    assert interaction.guild_id is not None  # /video and /quota are guild-only
    embed, pager = await history_reply(store, interaction.guild_id, user_id,
                                       interaction.user.id)
    extras: dict[str, Any] = {"view": pager} if pager is not None else {}
    if content is not None:
        extras["content"] = clip(content, MESSAGE_LIMIT)
    await interaction.response.send_message(
        embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none(), **extras)
    if pager is not None:
        pager.origin = interaction
