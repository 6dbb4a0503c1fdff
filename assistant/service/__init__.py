"""The HTTP service: `assistant serve` puts the turn pipeline behind Rasa's Sanic server.

Modules, one idea each:
    tables: the service database's tables (homes, tokens, idempotency keys, events)
    ids: household namespacing of user and conversation ids
    tokens: household API tokens (only their hashes are stored)
    homes: the home registry, with a row version checked on every write
    idempotency: a retried request key returns the stored answer, never a second turn
    turns: one turn for one household, in the runtime's worker thread
    userdata: a user's stored data, read and deleted (privacy)
    ticker: the homes' clocks follow the real clock; alarms and timers fire
    health: what `GET /health` checks
    openapi: the OpenAPI description
    channel: the Rasa input channel whose blueprint holds the endpoints
    server: builds Rasa's Sanic app around it and runs it
    commands: `assistant serve` and `assistant tokens`
"""
