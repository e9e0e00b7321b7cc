"""Discord's validation of what the bot sends: text and embed limits, component rules, modal
rules, command definitions, upload sizes. A breach is answered as Discord answers it (400
Invalid Form Body 50035 with the offending field, 50006 empty message, 413 too large), so the
bot's handling of those answers is tested against the real shapes.

A new limit goes here, called from the route that Discord applies it on.
"""

from __future__ import annotations

import unicodedata

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
    """A modal needs a title of 1..45 characters, 1..5 rows and text inputs of <= 4000
    characters, each labelled in 1..45 with a placeholder of <= 100."""
    if not 1 <= len(str(data.get("title") or "")) <= 45:
        raise invalid_form("data.title", "BASE_TYPE_BAD_LENGTH",
                           "Must be between 1 and 45 in length.")
    if not 1 <= len(data.get("components") or []) <= 5:
        raise invalid_form("data.components", "BASE_TYPE_BAD_LENGTH",
                           "Must be between 1 and 5 in length.")
    for comp in walk_components(data.get("components") or []):
        if comp.get("type") == 4 and int(comp.get("max_length") or 4000) > 4000:
            raise invalid_form("data.components", "BASE_TYPE_MAX", "Must be 4000 or less.")
        # A text input's label is 1-45 characters, its placeholder at most 100.
        if comp.get("type") == 4 and "label" in comp and not 1 <= len(str(comp["label"])) <= 45:
            raise invalid_form("data.components", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 45 in length.")
        if comp.get("type") == 4 and len(str(comp.get("placeholder") or "")) > 100:
            raise invalid_form("data.components", "BASE_TYPE_MAX_LENGTH",
                               "Must be 100 or fewer in length.")


def validate_autocomplete(data: JSON, option_type: int) -> None:
    """Autocomplete choices (callback type 8): at most 25, names of 1..100 characters (their
    localisations too), values of the option's type (a string of at most 100)."""
    choices = data.get("choices")
    if not isinstance(choices, list):
        raise invalid_form("data.choices", "BASE_TYPE_REQUIRED", "This field is required")
    if len(choices) > 25:
        raise invalid_form("data.choices", "BASE_TYPE_MAX_LENGTH",
                           "Must be 25 or fewer in length.")
    for i, choice in enumerate(choices):
        where = f"data.choices.{i}"
        if not 1 <= len(str(choice.get("name") or "")) <= 100:
            raise invalid_form(f"{where}.name", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length.")
        validate_localizations(choice, f"{where}.", chat_input=None)
        value = choice.get("value")
        fits = {3: lambda v: isinstance(v, str) and len(v) <= 100,
                4: lambda v: isinstance(v, int) and not isinstance(v, bool),
                10: lambda v: isinstance(v, int | float) and not isinstance(v, bool)}
        if option_type in fits and not fits[option_type](value):
            raise invalid_form(f"{where}.value", "BASE_TYPE_CHOICES",
                               "Value is not of the option's type.")


# Discord's locales (https://discord.com/developers/docs/reference#locales): the keys a
# `name_localizations` or `description_localizations` object may have.
DISCORD_LOCALES = frozenset({
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi",
    "th", "zh-CN", "ja", "zh-TW", "ko",
})


def chat_input_name(name: object) -> bool:
    """Discord's naming rule for slash commands, subcommands and options, localised or not:
    `^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`, in lower case where the script has
    case."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32 or name != name.lower():
        return False
    return all(c in "-_'" or unicodedata.category(c)[0] in "LN"
               or 0x0900 <= ord(c) <= 0x097F or 0x0E00 <= ord(c) <= 0x0E7F for c in name)


def validate_command(body: JSON, type_: int, prefix: str) -> None:
    """Names, descriptions and options of one command definition, as Discord checks them."""
    name = body.get("name", "")
    if type_ == 1:
        if not chat_input_name(name):
            raise invalid_form(f"{prefix}name", "APPLICATION_COMMAND_INVALID_NAME",
                               "Command name is invalid")
        if not 1 <= len(body.get("description", "")) <= 100:
            raise invalid_form(f"{prefix}description", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length.")
        validate_localizations(body, prefix, chat_input=True)
        validate_options(body.get("options", []), f"{prefix}options")
    else:
        if not 1 <= len(name) <= 32:
            raise invalid_form(f"{prefix}name", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 32 in length.")
        validate_localizations(body, prefix, chat_input=False)


def validate_localizations(body: JSON, prefix: str, *, chat_input: bool | None) -> None:
    """`name_localizations` and `description_localizations`: known locales only; names by the
    naming rule (`chat_input`: slash commands and options; False: a menu's 1-32 characters;
    None: a choice's 1-100), descriptions of 1-100 characters."""
    for field in ("name_localizations", "description_localizations"):
        values = body.get(field)
        if values is None:
            continue
        if not isinstance(values, dict):
            raise invalid_form(f"{prefix}{field}", "DICT_TYPE_CONVERT",
                               "Only dictionaries may be used in a DictType")
        for locale, value in values.items():
            where = f"{prefix}{field}.{locale}"
            if locale not in DISCORD_LOCALES:
                raise invalid_form(where, "BASE_TYPE_CHOICES",
                                   f"Value must be one of {sorted(DISCORD_LOCALES)}.")
            if field == "name_localizations" and chat_input:
                if not chat_input_name(value):
                    raise invalid_form(where, "APPLICATION_COMMAND_INVALID_NAME",
                                       "Command name is invalid")
                continue
            limit = 32 if field == "name_localizations" and chat_input is False else 100
            if not isinstance(value, str) or not 1 <= len(value) <= limit:
                raise invalid_form(where, "BASE_TYPE_BAD_LENGTH",
                                   f"Must be between 1 and {limit} in length.")


def validate_options(options: list[JSON], prefix: str) -> None:
    """At most 25 options, valid names and lengths (localised ones too), names unique in every
    locale, required ones before optional ones."""
    if len(options) > 25:
        raise invalid_form(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    check_unique_names(options, prefix)
    seen_optional = False
    for i, opt in enumerate(options):
        where = f"{prefix}.{i}"
        if not chat_input_name(opt.get("name", "")):
            raise invalid_form(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME",
                               "Command name is invalid")
        if not 1 <= len(opt.get("description", "")) <= 100:
            raise invalid_form(f"{where}.description", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length.")
        validate_localizations(opt, f"{where}.", chat_input=True)
        if len(opt.get("choices") or []) > 25:
            raise invalid_form(f"{where}.choices", "BASE_TYPE_MAX_LENGTH",
                               "Must be 25 or fewer in length.")
        for j, choice in enumerate(opt.get("choices") or []):
            validate_localizations(choice, f"{where}.choices.{j}.", chat_input=None)
        if opt.get("autocomplete") and (opt.get("choices") or opt.get("type") not in (3, 4, 10)):
            raise invalid_form(f"{where}.autocomplete", "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE",
                               "Autocomplete is for string, integer and number options without "
                               "choices")
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


def check_unique_names(entries: list[JSON], prefix: str) -> None:
    """Sibling commands or options may not share a name, in the default language or in any
    locale (a member could not tell them apart)."""
    locales = {locale for e in entries for locale in (e.get("name_localizations") or {})}
    for locale in (None, *sorted(locales)):
        names = [(e.get("name_localizations") or {}).get(locale, e.get("name"))
                 if locale else e.get("name") for e in entries]
        if len(names) != len(set(names)):
            where = f"{prefix}.name_localizations.{locale}" if locale else prefix
            raise invalid_form(where, "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                               "Option names must be unique")
