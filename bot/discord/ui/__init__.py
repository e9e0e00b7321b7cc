"""What members press and fill in: the persistent buttons, the modals, the private views
(price confirmation, references, history)."""
