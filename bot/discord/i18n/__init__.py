"""Words: the message catalogues, the wording of the core's codes at display time, the
commands' own names in every language, and which language each text is made in."""
