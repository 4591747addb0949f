"""Stage 1, one plan's inputs: raw bytes -> text (reader), sidecar -> metadata, text -> normalized text, what the text states."""
