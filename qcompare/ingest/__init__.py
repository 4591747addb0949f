"""Adding a plan: .docx/.pdf/.html/.txt as received -> ``data/raw/<id>.txt`` + sidecar, checked by building it."""
