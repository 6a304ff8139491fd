"""How the learned model joins the rules' verdict: conservatively, and always saying so.

- The model files a document by itself only when the rules placed it nowhere, the model is
  confident (probability ≥ MIN_PROBABILITY), the document looks like the item's examples
  (similarity ≥ MIN_SIMILARITY) and the archivist placed at least MIN_EXAMPLES documents
  there.  The reason names the model and its figures, so ``dangan show`` says who decided.
- Strong rule evidence for another item (a title or file-name match) is never overruled:
  the document goes to review with both views in the reason.
- When the rules filed a document and a confident model disagrees, it goes to review too;
  when they agree, nothing changes.
- Below those bars the model only adds its best item to the review suggestions.
"""

from __future__ import annotations

from dataclasses import replace

from dangan.archive.intake.classify import Classification, Suggestion
from dangan.archive.learning.model import Guess, LearnedModel
from dangan.archive.learning.train import MIN_EXAMPLES
from dangan.archive.projects import Project

MIN_PROBABILITY = 0.6
# Cosine to the centroid of the item's examples.  A sixth copy of a company's own form scores
# 0.6–0.9 against five filled-in ones; other documents of the same trade 0.05–0.3 (measured
# on tests/test_learning.py's documents and the samples; see the report of issue 23).
MIN_SIMILARITY = 0.45
SUGGEST_SIMILARITY = 0.25
# The rules' score for a title or file-name match (classify.STRONG_SCORE): evidence a
# model must not overrule in silence.
STRONG_RULE_SCORE = 4


def blend(project: Project, name: str, text: str, rules: Classification, model: LearnedModel | None) -> Classification:
    """The verdict after the model has had its say (``rules`` unchanged without a model)."""
    head = model.head(project.checklist.id) if model is not None else None
    if head is None:
        return rules
    items = {it.code: it for it in project.checklist.items}
    guesses = [g for g in head.predict(name, text) if g.item in items]
    if not guesses:
        return rules
    best = guesses[0]
    title = items[best.item].title
    said = (
        f"learned from the archivist's decisions: {best.item} {title} "
        f"(probability {best.probability:.2f}, similarity {best.similarity:.2f}, trained on {best.examples} example(s))"
    )
    confident = (
        best.probability >= MIN_PROBABILITY and best.similarity >= MIN_SIMILARITY and best.examples >= MIN_EXAMPLES
    )
    if rules.item is not None:
        if not confident or rules.item.code == best.item:
            return rules
        return _to_review(
            rules, best, title, f"the rules chose {rules.item.code} {rules.item.title} but {said}; decide which"
        )
    strong = [s for s in rules.suggestions if s.item != best.item and s.score >= STRONG_RULE_SCORE]
    if confident and not strong:
        return Classification(items[best.item], round(best.probability, 2), rules.suggestions, decided_by=said)
    if confident:
        s = strong[0]
        return _to_review(
            rules, best, title, f"{said}, but the rules see strong evidence for {s.item} {s.title} (score {s.score:g})"
        )
    if best.similarity >= SUGGEST_SIMILARITY and best.probability >= 0.3:
        need = "" if best.examples >= MIN_EXAMPLES else f"; it files by itself after {MIN_EXAMPLES} examples"
        return _to_review(rules, best, title, f"{rules.reason}; {said}{need}")
    return rules


def _to_review(rules: Classification, best: Guess, title: str, reason: str) -> Classification:
    """Review, with the model's item among the suggestions (first when the rules lacked it)."""
    suggestions = list(rules.suggestions)
    if not any(s.item == best.item for s in suggestions):
        suggestions = [Suggestion(best.item, title, 0.0), *suggestions][:3]
    return replace(rules, item=None, confidence=0.0, suggestions=suggestions, reason=reason)
