"""Programs: dated, cited presets (Commonworks 1998, Kansas FY2000, ...) and a user's own files."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _lowlevel


@dataclass(frozen=True)
class Citation:
    """Where a program value comes from: a source document and section, or a documented choice."""

    value: str
    source: str | None = None
    section: str | None = None
    quote: str | None = None
    choice: str | None = None

    @property
    def label(self) -> str:
        """``file, section`` (or ``choice: ...``), as traces print it."""
        if self.source and self.section:
            return f"{self.source}, {self.section}"
        if self.source:
            return self.source
        if self.choice:
            return f"choice: {self.choice}"
        return ""


@dataclass(frozen=True)
class Program:
    """A loaded, checked program. Pass it (or its id) as ``program=`` to any typed function."""

    id: str
    name: str
    jurisdiction: str
    summary: str
    sources: list[str]
    choices: list[dict[str, str]]
    required_parameters: dict[str, str]
    sections: dict[str, Any]
    """The sections as plain values (citations stripped), as the mechanisms read them."""
    citations: dict[str, Citation]
    """Every cited value, by its path under ``sections`` (``corridor.phases[2].provider_share``)."""
    builtin: bool = False
    source_document: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    """The program file as given (preset format, citations kept), for a user's own program."""

    @classmethod
    def _from_loaded(
        cls, loaded: dict[str, Any], *, builtin: bool, source: dict[str, Any] | None
    ) -> Program:
        return cls(
            id=loaded["id"],
            name=loaded["name"],
            jurisdiction=loaded["jurisdiction"],
            summary=loaded["summary"],
            sources=list(loaded["sources"]),
            choices=list(loaded["choices"]),
            required_parameters=dict(loaded["required_parameters"]),
            sections=dict(loaded["sections"]),
            citations={k: Citation(**v) for k, v in loaded["citations"].items()},
            builtin=builtin,
            source_document=source,
        )

    def _to_request(self) -> str | dict[str, Any]:
        """What a request's ``program`` field carries: the id, or the user's whole file."""
        if self.builtin or self.source_document is None:
            return self.id
        return self.source_document

    def section(self, name: str) -> Any:
        """The section ``name`` (``corridor``, ``split``, ...), or None when the program has none."""
        return self.sections.get(name)

    def __repr__(self) -> str:
        return (
            f"Program({self.id!r}, name={self.name!r}, sections={sorted(self.sections)}, "
            f"citations={len(self.citations)})"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td><code>{html.escape(path)}</code></td><td>{html.escape(c.value)}</td>"
            f"<td>{html.escape(c.label)}</td></tr>"
            for path, c in self.citations.items()
        )
        return (
            f"<div><strong>{html.escape(self.name)}</strong> (<code>{html.escape(self.id)}</code>, "
            f"{html.escape(self.jurisdiction)})<p>{html.escape(self.summary)}</p>"
            "<table><thead><tr><th>value</th><th></th><th>source</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )


def program_ids() -> list[str]:
    """The ids of the built-in presets, sorted."""
    return list(_lowlevel.program_ids())


def programs() -> list[Program]:
    """Every built-in preset, loaded and checked."""
    return [program(pid) for pid in program_ids()]


def program(id: str) -> Program:
    """A built-in preset by id (``"commonworks-1998"``); an unknown id raises UnknownIdError."""
    loaded = json.loads(_lowlevel.program_builtin(id))
    return Program._from_loaded(loaded, builtin=True, source=None)


def load_program(source: str | os.PathLike[str] | Mapping[str, Any]) -> Program:
    """Load a user's own program in the preset format: a path, JSON text, or a dict.

    Every number and date must carry a citation (``{"value", "source", "section"}``) or a
    documented choice; a bare value raises MissingCitationError, as for the built-in presets.
    """
    if isinstance(source, Mapping):
        text = json.dumps(dict(source), ensure_ascii=False)
    elif isinstance(source, os.PathLike) or (
        isinstance(source, str) and not source.lstrip().startswith("{")
    ):
        with open(source, encoding="utf-8") as f:
            text = f.read()
    else:
        text = source
    loaded = json.loads(_lowlevel.program_from_json(text))
    return Program._from_loaded(loaded, builtin=False, source=json.loads(text))
