"""The speech channel: simulated people spoken by a real TTS voice and heard by a real recogniser."""
