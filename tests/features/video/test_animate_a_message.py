"""The "Animate with Kling" message menu through Discord: a message's own image, a forwarded
message's, an image behind a link embed (own attachment first), and the refusals of messages
without a usable image (none, a forwarded one without, a GIF link)."""

from __future__ import annotations

from typing import Any

import pytest

from testkit.fakes.discord import AttachmentSpec, image_link_embed
from tests.discord_support import World

pytestmark = pytest.mark.timeout(60)

PNG = AttachmentSpec("dog.png", data=b"\x89PNG" + bytes(5000), content_type="image/png",
                     width=800, height=600)


def modal_inputs(world: World, opened: Any) -> tuple[str, list[str]]:
    modal = world.discord.interaction_responses(opened)[0].data
    inputs = [c["custom_id"] for row in modal["components"]
              for c in (row.get("components") or [row.get("component")])]
    return modal["custom_id"], inputs


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_with_kling_from_a_message(world: World) -> None:
    await world.start_bot()
    posted = await world.discord.post_user_message(world.discord.channel_id,
                                                   world.alice.user.id, "my dog", [PNG])
    task = await animate_through_menu(world, posted, "the dog wags its tail")
    assert task.request["action"] == "image2video"
    assert task.request["start_image_url"] == posted["attachments"][0]["url"]
    assert task.request["prompt"] == "the dog wags its tail"


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_refuses_a_message_without_an_image(world: World) -> None:
    await world.start_bot()
    posted = await world.discord.post_user_message(world.discord.channel_id,
                                                   world.alice.user.id, "just text")
    inter = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                             world.alice.user.id, "Animate with Kling",
                                             int(posted["id"]))
    assert "no PNG or JPEG image" in await world.wait_private_reply(inter)


async def animate_through_menu(world: World, message: dict[str, Any],
                               prompt: str = "it moves") -> Any:
    """Open the menu on `message`, fill the modal, and answer the task Kling received."""
    opened = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                              world.alice.user.id, "Animate with Kling",
                                              int(message["id"]))
    assert (await world.discord.wait_for_response(opened)).type == 9
    modal_id, inputs = modal_inputs(world, opened)
    submit = await world.discord.submit_modal(world.alice.user.id, opened, modal_id,
                                              {inputs[0]: prompt})
    assert "on its way" in await world.wait_private_reply(submit)
    return await world.kling.wait_for(lambda: world.kling.last_task)


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_a_forwarded_message_uses_its_image(world: World) -> None:
    await world.start_bot()
    original = await world.discord.post_user_message(world.discord.channel_id,
                                                     world.bob.user.id, "my dog", [PNG])
    forwarded = await world.discord.forward_message(world.discord.channel_id,
                                                    world.alice.user.id, int(original["id"]))
    assert forwarded["attachments"] == []
    assert forwarded["message_reference"]["type"] == 1
    task = await animate_through_menu(world, forwarded)
    assert task.request["action"] == "image2video"
    assert task.request["start_image_url"] == original["attachments"][0]["url"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_a_message_whose_image_is_a_link_embed(world: World) -> None:
    await world.start_bot()
    link = "https://example.org/pictures/dog.jpg"
    posted = await world.discord.post_user_message(
        world.discord.channel_id, world.alice.user.id, link,
        embeds=[image_link_embed(link, 1024, 768)])
    task = await animate_through_menu(world, posted)
    assert task.request["start_image_url"] == link


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_prefers_own_attachment_to_an_embed(world: World) -> None:
    await world.start_bot()
    posted = await world.discord.post_user_message(
        world.discord.channel_id, world.alice.user.id, "see", [PNG],
        embeds=[image_link_embed("https://example.org/other.png", 1024, 768)])
    task = await animate_through_menu(world, posted)
    assert task.request["start_image_url"] == posted["attachments"][0]["url"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_refuses_a_forwarded_message_without_an_image(world: World) -> None:
    await world.start_bot()
    original = await world.discord.post_user_message(world.discord.channel_id,
                                                     world.bob.user.id, "just text")
    forwarded = await world.discord.forward_message(world.discord.channel_id,
                                                    world.alice.user.id, int(original["id"]))
    inter = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                             world.alice.user.id, "Animate with Kling",
                                             int(forwarded["id"]))
    assert "no PNG or JPEG image" in await world.wait_private_reply(inter)


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_refuses_an_embed_link_to_a_gif(world: World) -> None:
    await world.start_bot()
    link = "https://example.org/dance.gif"
    posted = await world.discord.post_user_message(
        world.discord.channel_id, world.alice.user.id, link,
        embeds=[image_link_embed(link, 500, 500)])
    inter = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                             world.alice.user.id, "Animate with Kling",
                                             int(posted["id"]))
    assert "no PNG or JPEG image" in await world.wait_private_reply(inter)
    assert world.kling.last_task is None
