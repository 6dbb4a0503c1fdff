"""The models the assistant has served: a bounded history with each one's figures, the gate a
retrained candidate passes before it is promoted, and rollback (`assistant models`)."""
