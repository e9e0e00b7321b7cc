# klingcord's commands in English: nothing here on purpose.
#
# English is the code's default: the names and descriptions written in cogs/ are what is synced
# to Discord as `name` and `description`, and what Discord sends back when a member runs a
# command. Every other language's commands.ftl holds the same commands in that language, synced
# as `name_localizations` / `description_localizations` (see bot/discord/command_texts.py for
# how a command, an option or a choice gets its id, and ko/commands.ftl for a full example).
