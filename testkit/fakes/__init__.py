"""Wire-level fakes of the bot's two remote services: `discord` (REST v10 + gateway v10) and
`kling` (the video API). Each is a package of small parts composed by one server object."""
