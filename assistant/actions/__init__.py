"""Custom actions, one per module, served by the rasa_sdk action server.

Actions stay thin: they read the tracker and the ambient context, call a typed service
(`assistant.services`) and return events. Device changes leave as directives that the
runtime applies to the home.
"""
