"""Rich rendering shared by the terminal chat and the demo.

Everything here reads the home through the documented API only (`home.devices`, each
device's `id/name/kind/room/state`, `home.rooms`, `home.clock.now/time_of_day`), so tests
can pass small fakes.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Iterable, Mapping, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from assistant.turn import TurnResult

USER_STYLE = "bold green"
BOT_STYLE = "bold cyan"
NOTICE_STYLE = "yellow"
ERROR_STYLE = "bold red"
CHANGE_STYLE = "green"
DIM = "dim"

StateMap = dict[str, dict[str, Any]]

# Rasa bookkeeping, not dialogue state: left out of the debug view.
INTERNAL_SLOTS = frozenset({"session_started_metadata"})


# -- device state -------------------------------------------------------------------


def _kind(kind: Any) -> str:
    return str(getattr(kind, "value", kind))


def _words(identifier: str) -> str:
    return str(identifier).replace("_", " ")


def _degrees(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value} °C"


def _timer(timer: Any) -> str:
    if not isinstance(timer, Mapping):
        return f"timer {timer}"
    label = f" ({timer['label']})" if timer.get("label") else ""
    ends = timer.get("ends_at")
    try:
        until = f" until {dt.datetime.fromisoformat(str(ends)):%H:%M}" if ends else ""
    except ValueError:
        until = f" until {ends}"
    return f"timer{label}{until}"


def summarize_state(kind: Any, state: Mapping[str, Any]) -> str:
    """One short line for a device's state: "on, 60%, blue", "locked", "playing X (film)".

    Args:
        kind: the DeviceKind (or its value).
        state: the device's state dict.
    """
    kind_name = _kind(kind)
    parts: list[str] = []
    power = state.get("power")
    off = power == "off"
    if power is not None:
        parts.append(str(power))
    if state.get("position") is not None:
        parts.append(str(state["position"]))
    if "locked" in state:
        parts.append("locked" if state["locked"] else "unlocked")
    if not off:
        if state.get("brightness") is not None:
            parts.append(f"{state['brightness']}%")
        if state.get("color"):
            parts.append(str(state["color"]))
        if state.get("brewing"):
            parts.append("brewing")
    if "current_temperature" in state:  # a thermostat
        target = state.get("target_temperature")
        now = _degrees(state["current_temperature"])
        parts.append(f"{now}, target {_degrees(target)}" if target is not None else now)
    elif state.get("temperature") is not None:  # an oven
        target = state.get("target_temperature")
        now = _degrees(state["temperature"])
        if target is not None and not off and target != state["temperature"]:
            parts.append(f"{now} → {_degrees(target)}")
        else:
            parts.append(now)
    playing = state.get("playing")
    if isinstance(playing, Mapping):
        fmt = f" ({playing['format']})" if playing.get("format") else ""
        parts.append(f"playing {playing.get('title', '?')}{fmt}")
    elif playing:
        parts.append(f"playing {playing}")
    elif "playing" in state and power is None:
        parts.append("idle")
    if state.get("alarms"):
        parts.append("alarm " + ", ".join(str(a) for a in state["alarms"]))
    elif "alarms" in state and kind_name == "alarm_clock":
        parts.append("no alarm")
    parts.extend(_timer(t) for t in state.get("timers") or [])
    return ", ".join(parts) if parts else "-"


def state_summary(device: Any) -> str:
    """`summarize_state` for a device."""
    return summarize_state(device.kind, device.state)


def snapshot_states(home: Any) -> StateMap:
    """A deep copy of every device's state, to compare after a change."""
    return {device_id: copy.deepcopy(dict(device.state)) for device_id, device in home.devices.items()}


def changed_devices(before: StateMap, home: Any) -> list[str]:
    """Ids of devices whose state differs from `before` (in the home's order)."""
    return [device_id for device_id, device in home.devices.items()
            if before.get(device_id) != dict(device.state)]


def describe_changes(before: StateMap, home: Any) -> Text | None:
    """Lines like "• kitchen light: off → on, 100%, white"; None when nothing changed."""
    ids = changed_devices(before, home)
    if not ids:
        return None
    text = Text()
    for number, device_id in enumerate(ids):
        device = home.devices[device_id]
        after = state_summary(device)
        if number:
            text.append("\n")
        text.append("  • ", style=CHANGE_STYLE)
        text.append(f"{device.name}: ", style="bold")
        if device_id in before:
            text.append(summarize_state(device.kind, before[device_id]), style=DIM)
            text.append(" → ")
        text.append(after, style=CHANGE_STYLE)
    return text


# -- the home -----------------------------------------------------------------------


def clock_line(home: Any) -> str:
    """ "Mon 07:30, morning"."""
    now = home.clock.now
    return f"{now:%a %H:%M}, {_kind(home.clock.time_of_day)}"


def _rooms(home: Any) -> list[str]:
    rooms = list(getattr(home, "rooms", []) or [])
    for device in home.devices.values():
        if device.room not in rooms:
            rooms.append(device.room)
    return rooms


def home_panel(home: Any, *, highlight: Iterable[str] = ()) -> Panel:
    """A panel with every device by room (name, kind, state), the clock and the time of day.

    Args:
        home: the home.
        highlight: device ids to show in bold (e.g. those that just changed).
    """
    marked = set(highlight)
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False, show_edge=False)
    table.add_column("room", style="magenta")
    table.add_column("device", style="bold")
    table.add_column("kind", style=DIM)
    table.add_column("state")
    for room in _rooms(home):
        devices = [d for d in home.devices.values() if d.room == room]
        for number, device in enumerate(devices):
            style = "bold yellow" if device.id in marked else None
            table.add_row(Text(_words(room) if number == 0 else ""), Text(device.name),
                          Text(_words(_kind(device.kind))), Text(state_summary(device)), style=style,
                          end_section=number == len(devices) - 1)
    title = f"[bold]{escape(str(getattr(home, 'name', 'home')))}[/] · {escape(clock_line(home))}"
    return Panel(table, title=title, title_align="left", border_style="blue", expand=False)


def events_text(events: Sequence[Any]) -> Text | None:
    """Home events (alarms, timers, oven), one per line; None when there are none."""
    if not events:
        return None
    text = Text()
    for number, event in enumerate(events):
        describe = getattr(event, "describe", None)
        if number:
            text.append("\n")
        text.append("  ⏰ ", style=NOTICE_STYLE)
        text.append(describe() if callable(describe) else str(event), style=NOTICE_STYLE)
    return text


# -- a turn -------------------------------------------------------------------------


def user_line(user_id: str, device_name: str, text: str) -> Text:
    """ "alice → kitchen speaker: turn on the lights"."""
    line = Text()
    line.append(f"{user_id} → {device_name}: ", style=USER_STYLE)
    line.append(text)
    return line


def reply_lines(result: TurnResult) -> Text:
    """The bot's replies, one per line."""
    text = Text()
    replies = result.replies or ["(no reply)"]
    for number, reply in enumerate(replies):
        if number:
            text.append("\n")
        text.append("bot: ", style=BOT_STYLE)
        text.append(reply, style="cyan" if result.replies else DIM)
    return text


def _refusal_parts(item: Any) -> tuple[str, str, str]:
    if isinstance(item, (tuple, list)):
        padded = [str(part) for part in item] + ["", "", ""]
        return padded[0], padded[1], padded[2]
    directive = getattr(item, "directive", None)
    reason = getattr(item, "refusal", None)
    return (str(directive or ""), str(getattr(reason, "name", reason) or ""),
            str(getattr(item, "message", item)))


def refusal_lines(result: TurnResult) -> Text | None:
    """Refused directives as "✗ refused set_temperature oven 400 (INVALID_VALUE): ..."."""
    if not result.refused:
        return None
    text = Text()
    for number, item in enumerate(result.refused):
        directive, reason, message = _refusal_parts(item)
        if number:
            text.append("\n")
        text.append("  ✗ refused ", style=ERROR_STYLE)
        text.append(directive, style="red")
        if reason:
            text.append(f" ({reason})", style="red")
        if message:
            text.append(f": {message}", style="red")
    return text


def _compact(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def debug_table(result: TurnResult) -> Table:
    """Intent, confidence, entities, slots (those set), actions and directives of a turn."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold magenta", no_wrap=True)
    table.add_column()
    if result.rewrite:
        rw = result.rewrite
        table.add_row("rewrite", Text(f"{rw.get('original')!r} → {rw.get('rewritten')!r} ({rw.get('source')}"
                                      + (f", #{rw['rewrite_id']}" if rw.get("rewrite_id") else "") + ")"))
        if rw.get("why"):
            table.add_row("why", Text(str(rw["why"]), style=DIM))
    if result.problems:
        table.add_row("problems", Text(", ".join(result.problems)))
    if result.turn_id is not None:
        table.add_row("logged", Text(f"turn #{result.turn_id}", style=DIM))
    if result.intent is None:
        table.add_row("intent", Text("- (Rasa was not called)", style=DIM))
    else:
        confidence = f" ({result.confidence:.2f})" if result.confidence is not None else ""
        table.add_row("intent", Text(f"{result.intent}{confidence}"))
    entities = ", ".join(
        f"{e.get('entity')}={_compact(e.get('value'))}" + (f" [{e['role']}]" if e.get("role") else "")
        for e in result.entities
    )
    table.add_row("entities", Text(entities or "-"))
    slots = ", ".join(f"{key}={_compact(value)}" for key, value in sorted(result.slots.items())
                      if value is not None and key not in INTERNAL_SLOTS)
    table.add_row("slots", Text(slots or "-"))
    table.add_row("actions", Text(" → ".join(result.actions) or "-"))
    table.add_row("directives", Text(", ".join(result.directives) or "-"))
    return table


def turn_renderables(result: TurnResult, *, before: StateMap, home: Any,
                     debug: bool = False) -> list[RenderableType]:
    """What to print after a turn: notice, replies, refusals, changed devices, debug."""
    parts: list[RenderableType] = []
    if result.notice:
        parts.append(Text(f"note: {result.notice}", style=NOTICE_STYLE))
    parts.append(reply_lines(result))
    for extra in (refusal_lines(result), describe_changes(before, home)):
        if extra is not None:
            parts.append(extra)
    if debug:
        parts.append(Panel(debug_table(result), title="debug", title_align="left",
                           border_style=DIM, expand=False))
    return parts


def print_turn(console: Console, result: TurnResult, *, before: StateMap, home: Any,
               debug: bool = False) -> None:
    """Print a turn's outcome (see `turn_renderables`)."""
    console.print(Group(*turn_renderables(result, before=before, home=home, debug=debug)))


def print_error(console: Console, message: str) -> None:
    """A red error line."""
    console.print(Text(f"✗ {message}", style=ERROR_STYLE))
