"""Helpers the tests share (fixtures stay in ``conftest.py``; tests import these from here).

``conftest.py`` is pytest's to load: importing it as a module from a test loads it a second
time under another name, so what tests call lives in this ordinary module instead.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def sh(
    command: str, cwd: Path | None = None, env: dict | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess:
    """Run ``command`` in bash as a notebook's ``!`` line does: stderr into stdout, no stdin;
    ``env`` adds to (or overrides) this process's environment."""
    return subprocess.run(
        command, shell=True, executable="/bin/bash", text=True, cwd=cwd, timeout=timeout,
        env=dict(os.environ, **(env or {})), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def free_loopback_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 just now (the kernel's pick)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def skip_or_fail(reason: str) -> None:
    """What a test cannot do here: a failure in CI (it must run there), a skip elsewhere."""
    if IN_CI:
        pytest.fail(f"CI must be able to run this: {reason}")
    pytest.skip(reason)


def assert_one_sentence(message: str) -> None:
    """A learner-facing error: one line, one sentence that names the cause and the fix."""
    assert "\n" not in message, message
    assert "Traceback" not in message, message
    assert message.endswith("."), message
    assert ":" in message, f"no fix after the cause: {message}"
    assert len(re.findall(r"[.!?] [A-Z]", message)) == 0, f"more than one sentence: {message}"


def _libraries(binary: str) -> list[str]:
    """The shared libraries ``binary`` loads, from ``ldd``."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        words = line.replace("=>", " ").split()
        paths += [w for w in words if w.startswith("/")]
    return paths


def _sleeper_image_tar() -> bytes:
    """A root filesystem with just ``/bin/sleep`` and its libraries: a learner's own image that
    shares no layer with the series' images, so the lessons' pulls read the same."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in ["/bin/sleep", *_libraries("/bin/sleep")]:
            tar.add(os.path.realpath(path), arcname=path.lstrip("/"))
    return buffer.getvalue()


def import_sleeper_image(client, ref: str) -> str:
    """``docker import`` a learner-style image (``/bin/sleep`` only) as ``ref``; return its ID.

    It shares no layer with the series' images, so lessons read the same with it present.
    """
    repository, tag = ref.rsplit(":", 1)
    client.api.import_image_from_data(_sleeper_image_tar(), repository=repository, tag=tag)
    return client.images.get(ref).id


# --------------------------------------------------------------------------- stored outputs


def cell_text(cell) -> str:
    """All a code cell showed as text: its streams, plain-text results and tracebacks."""
    return "".join(
        output.get("text", "")
        + str(output.get("data", {}).get("text/plain", ""))
        + "\n".join(output.get("traceback", []))
        for output in cell.outputs
    )


def stored_cells(prefix: str) -> list[tuple[str, str]]:
    """(source, stored text output) of each non-empty code cell of the committed notebook
    ``notebooks/<prefix>-*.ipynb``, in order (two cells may have the same source)."""
    import nbformat

    path = next((ROOT / "notebooks").glob(f"{prefix}-*.ipynb"))
    return [
        (
            cell.source,
            "".join(
                o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                for o in cell.outputs
            ),
        )
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code" and cell.source.strip()
    ]


def stored_outputs(prefix: str) -> dict[str, str]:
    """Code cell source -> its stored text output (the later one, when two share a source)."""
    return dict(stored_cells(prefix))


def outputs_of(cells, start: str) -> list[str]:
    """The stored outputs of the cells whose source starts with ``start``; ``cells`` as
    :func:`stored_cells` or :func:`stored_outputs` give them."""
    pairs = cells.items() if isinstance(cells, dict) else cells
    return [out for source, out in pairs if source.startswith(start)]


def output_of(cells, start: str) -> str:
    """The stored output of the one cell whose source starts with ``start``."""
    [text] = outputs_of(cells, start)
    return text
