"""Learning from activity: implicit preferences, routines mined from the home's history, and
concepts users teach ("when I say movie time, dim the lights and turn on the TV")."""
