"""The simulated speech channel: text spoken by a TTS and heard through a recogniser."""
