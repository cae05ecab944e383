"""Rules: the qualification vocabulary and incentives compiled into executable rules."""
