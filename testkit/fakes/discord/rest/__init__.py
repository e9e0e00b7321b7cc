"""The fake's REST API v10, one module per resource (channels, messages, guilds, users, gateway,
commands, interaction callbacks, interaction webhooks), behind one router that records every
request and applies scripted faults. Each resource class registers its routes with
``register(router)``; `server.FakeDiscord` composes them."""
