"""Prompt cards as data, and their strict renderer.

A card is written in the hospital's five-part form: role (角色), task (任务), rules (规则),
examples (示例) and notes (备注). Its version is a hash of its canonical form, so every draft can
record exactly which prompt made it. This package imports nothing else of ours.
"""

from prompts.cards import (
    Card,
    CardError,
    MissingVariables,
    PromptError,
    RenderedPrompt,
    UnknownCard,
    UnknownVariables,
    card_ids,
    load_card,
)

__all__ = [
    "Card",
    "CardError",
    "MissingVariables",
    "PromptError",
    "RenderedPrompt",
    "UnknownCard",
    "UnknownVariables",
    "card_ids",
    "load_card",
]
