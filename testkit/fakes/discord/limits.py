"""Discord's validation of what the bot sends: text and embed limits, component rules, modal
rules, command definitions, upload sizes. A breach is answered as Discord answers it (400
Invalid Form Body 50035 with the offending field, 50006 empty message, 413 too large), so the
bot's handling of those answers is tested against the real shapes.

A new limit goes here, called from the route that Discord applies it on.
"""

from __future__ import annotations

import re

from testkit.fakes.discord.components import walk_components
from testkit.fakes.discord.models import JSON
from testkit.fakes.discord.records import UploadedFile
from testkit.fakes.discord.wire import DiscordError, invalid_form

# Discord's embed limits (characters): each part, and all embeds of a message together.
EMBED_LIMITS = {"title": 256, "description": 4096, "footer.text": 2048, "author.name": 256}
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_TOTAL_LIMIT = 6000


def check_upload(files: list[UploadedFile], limit: int) -> None:
    """413/40005 when the uploads together exceed the channel's limit."""
    if sum(f.size for f in files) > limit:
        raise DiscordError(413, 40005, "Request entity too large")


def validate_message(body: JSON, files: list[UploadedFile], *, creating: bool) -> None:
    """Content, embed and component limits; an empty new message is refused."""
    content = body.get("content")
    if content is not None and len(str(content)) > 2000:
        raise invalid_form("content", "BASE_TYPE_MAX_LENGTH",
                           "Must be 2000 or fewer in length.")
    if len(body.get("embeds") or []) > 10:
        raise invalid_form("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    validate_embeds(body.get("embeds") or [])
    components = body.get("components") or []
    v2 = int(body.get("flags") or 0) & (1 << 15)
    if not v2:
        if len(components) > 5:
            raise invalid_form("components", "BASE_TYPE_MAX_LENGTH",
                               "Must be 5 or fewer in length.")
        for i, row in enumerate(components):
            if len(row.get("components", [])) > 5:
                raise invalid_form(f"components.{i}.components", "BASE_TYPE_MAX_LENGTH",
                                   "Must be 5 or fewer in length.")
    for comp in walk_components(components):
        if len(comp.get("custom_id") or "") > 100:
            raise invalid_form("components", "BASE_TYPE_MAX_LENGTH",
                               "custom_id must be 100 or fewer in length.")
        if comp.get("type") == 2 and (len(comp.get("url") or "") > 512
                                      or len(comp.get("label") or "") > 80):
            raise invalid_form("components", "BASE_TYPE_MAX_LENGTH",
                               "A button's url must be 512 and its label 80 or fewer "
                               "in length.")
    if creating and not (content or body.get("embeds") or files or components
                         or body.get("sticker_ids") or body.get("poll")):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def validate_embeds(embeds: list[JSON]) -> None:
    """400/50035 for an embed part over its limit, more than 25 fields, or a total over 6000."""
    total = 0
    for i, embed in enumerate(embeds):
        for path, limit in EMBED_LIMITS.items():
            part, _, sub = path.partition(".")
            value = str((embed.get(part) or {}).get(sub) or "") if sub else \
                str(embed.get(part) or "")
            if len(value) > limit:
                raise invalid_form(f"embeds.{i}.{path}", "BASE_TYPE_MAX_LENGTH",
                                   f"Must be {limit} or fewer in length.")
            total += len(value)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise invalid_form(f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH",
                               "Must be 25 or fewer in length.")
        for j, embed_field in enumerate(fields):
            name, value = str(embed_field.get("name") or ""), str(embed_field.get("value") or "")
            if len(name) > EMBED_FIELD_NAME_LIMIT or len(value) > EMBED_FIELD_VALUE_LIMIT:
                limit = EMBED_FIELD_NAME_LIMIT if len(name) > EMBED_FIELD_NAME_LIMIT \
                    else EMBED_FIELD_VALUE_LIMIT
                raise invalid_form(f"embeds.{i}.fields.{j}", "BASE_TYPE_MAX_LENGTH",
                                   f"Must be {limit} or fewer in length.")
            total += len(name) + len(value)
    if total > EMBED_TOTAL_LIMIT:
        raise invalid_form("embeds", "MAX_EMBED_SIZE_EXCEEDED",
                           "Embed size exceeds maximum size of 6000")


def validate_modal(data: JSON) -> None:
    """A modal needs a title of 1..45 characters, 1..5 rows and text inputs of <= 4000."""
    if not 1 <= len(str(data.get("title") or "")) <= 45:
        raise invalid_form("data.title", "BASE_TYPE_BAD_LENGTH",
                           "Must be between 1 and 45 in length.")
    if not 1 <= len(data.get("components") or []) <= 5:
        raise invalid_form("data.components", "BASE_TYPE_BAD_LENGTH",
                           "Must be between 1 and 5 in length.")
    for comp in walk_components(data.get("components") or []):
        if comp.get("type") == 4 and int(comp.get("max_length") or 4000) > 4000:
            raise invalid_form("data.components", "BASE_TYPE_MAX", "Must be 4000 or less.")


def validate_command(body: JSON, type_: int, prefix: str) -> None:
    """Names, descriptions and options of one command definition, as Discord checks them."""
    name = body.get("name", "")
    if type_ == 1:
        if not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower():
            raise invalid_form(f"{prefix}name", "APPLICATION_COMMAND_INVALID_NAME",
                               "Command name is invalid")
        if not 1 <= len(body.get("description", "")) <= 100:
            raise invalid_form(f"{prefix}description", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length.")
        validate_options(body.get("options", []), f"{prefix}options")
    elif not 1 <= len(name) <= 32:
        raise invalid_form(f"{prefix}name", "BASE_TYPE_BAD_LENGTH",
                           "Must be between 1 and 32 in length.")


def validate_options(options: list[JSON], prefix: str) -> None:
    """At most 25 options, valid names and lengths, required ones before optional ones."""
    if len(options) > 25:
        raise invalid_form(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    for i, opt in enumerate(options):
        where = f"{prefix}.{i}"
        if not re.fullmatch(r"[-_\w]{1,32}", opt.get("name", "")):
            raise invalid_form(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME",
                               "Command name is invalid")
        if not 1 <= len(opt.get("description", "")) <= 100:
            raise invalid_form(f"{where}.description", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length.")
        if len(opt.get("choices") or []) > 25:
            raise invalid_form(f"{where}.choices", "BASE_TYPE_MAX_LENGTH",
                               "Must be 25 or fewer in length.")
        for bound in ("min_length", "max_length"):
            if bound in opt and not 0 <= int(opt[bound]) <= 6000:
                raise invalid_form(f"{where}.{bound}", "NUMBER_TYPE_MAX",
                                   "int value should be less than or equal to 6000.")
        if opt.get("type") in (1, 2):
            validate_options(opt.get("options", []), f"{where}.options")
        elif opt.get("required"):
            if seen_optional:
                raise invalid_form(f"{where}", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                   "Required options must be placed before non-required "
                                   "options")
        else:
            seen_optional = True

