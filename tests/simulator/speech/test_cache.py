"""The heard cache: kept across runs, and a corrupt file set aside and rebuilt."""

from __future__ import annotations

from pathlib import Path

from simulator.speech.cache import HeardCache, cache_key
from simulator.speech.engine import Recognition


def test_results_survive_a_new_process(tmp_path: Path) -> None:
    path = tmp_path / "speech" / "heard.db"
    first = HeardCache(path)
    first.put(cache_key("play jazz", 1), Recognition("play chaz", 0.41))
    first.close()
    again = HeardCache(path)
    assert again.get(cache_key("play jazz", 1)) == Recognition("play chaz", 0.41)
    assert again.get(cache_key("play jazz", 2)) is None
    assert (again.hits, again.misses) == (1, 1)


def test_a_corrupt_cache_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "heard.db"
    path.write_bytes(b"this is not a database" * 100)
    cache = HeardCache(path)
    assert cache.set_aside == tmp_path / "heard.db.corrupt-1"
    assert cache.set_aside.read_bytes().startswith(b"this is not")
    cache.put("k", Recognition("lights on", 0.9))
    assert len(cache) == 1


def test_keys_change_with_every_part() -> None:
    assert cache_key("a", 1) != cache_key("a", 2) != cache_key("b", 1)
    assert cache_key("a", 1) == cache_key("a", 1)
