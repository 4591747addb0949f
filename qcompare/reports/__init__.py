"""Stage 6, notebooks and tables -> ``reports/`` (papermill batch, HTML, index) and the export bundle."""
