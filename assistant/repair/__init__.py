"""Entity repair against what the home knows: a value that did not resolve (a media title,
artist or genre not found, an unknown city, a team, cuisine, device or room not named) is
matched against the catalogs and the home's own names by sound, spelling and meaning, reranked
by the context and this user's history, and repaired only when the best is clearly ahead.

One idea per module: `outcome` (the typed `Repair`), `candidates` (where values come from),
`scoring` (sound, spelling, meaning), `priors` (context, personal and global priors), `decide`
(the thresholds), `store` (wins, losses and retirement per heard -> value), `apply` (what the
actions call), `settle` (the runtime's side: the log row and the win or loss).
"""
