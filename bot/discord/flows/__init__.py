"""Interactions that start jobs: one start-job flow for every entry point, Continue and Join,
the images a message holds, a member's own preferences."""
