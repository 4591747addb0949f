"""Stage 5, analysis tables -> briefing figures (PNG 300 dpi + SVG), in the CJK font shipped with the install."""
