"""Reinstalling a server: a long operation (operation.py does the work upstream)."""

from __future__ import annotations

from dataclasses import dataclass

from panel.commands.base import StartOperation


@dataclass(kw_only=True)
class Reinstall(StartOperation):
    """`asked`: the wizard's answers (os_id, os_name, distro and the settings step)."""

    asked: dict

    kind = "reinstall"
    refused_when_cancelled = True

    def input(self) -> dict:
        return self.asked
