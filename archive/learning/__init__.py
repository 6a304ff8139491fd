"""Learning from the archivist: a small model per home, trained on the documents a person
filed or refiled, that files a company's own forms once it has seen a few of them.

- ``features``: the words a document is known by (the index's CJK bigrams, title and name marked).
- ``model``: the stored model (NPZ of plain arrays, never a pickle) and its predictions.
- ``train``: examples from the catalog, training with scikit-learn, status, background retraining.
- ``blend``: how a prediction joins the rules' verdict (conservatively).
"""
