"""Image facts the lessons teach, observed on every engine set-up of the matrix and kept as data.

Notebooks 03 and 04 teach layer sharing, image sizes, ``docker system df -v`` and
``docker history``. What an engine reports there depends on the engine: the containerd image
store (the default of Engine 29's new installs) counts sizes differently from the classic
store. So the series observes them on each set-up of :mod:`helpers.lab.engines` (Docker Engine
20.10, 26.1, and 26.1 with the containerd image store), each a throwaway scratch engine that
pulls the lab images afresh from the lab registry, and keeps the result in
``notebooks/data/image-facts.json``: per set-up, the engine's version, each image's
``RootFS.Layers``, the layers ``nginx:stable`` and ``nginx:latest`` share, ``docker images``
sizes, ``docker system df -v`` shared and unique sizes, and the ``docker history nginx:stable``
rows (CREATED BY, SIZE, COMMENT). ``tests/test_engine_matrix.py`` observes again and fails
when an engine disagrees with its record.

The observation uses the docker CLI (what a learner reads) and the SDK (the same figures in
bytes). Run ``python -m helpers.engine_facts --write`` (root, after ``make setup``) to refresh
the file; ``--restart-policies`` refreshes ``restart-policies.json`` in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import setup_records
from .errors import LabError, TutorialError
from .registry_api import REGISTRY_HOST
from .state import lesson_data

if TYPE_CHECKING:
    import pandas as pd

    from .lab.scratch import ScratchEngine

DATA_FILE = lesson_data("image-facts.json")
#: The images observed: their Docker Hub names and where the scratch engines pull them from.
IMAGES = {
    ref: f"{REGISTRY_HOST}/library/{ref}"
    for ref in ("debian:trixie-slim", "nginx:stable", "nginx:latest")
}
PAIR = ("nginx:stable", "nginx:latest")
HISTORY_OF = "nginx:stable"
#: Record fields that legitimately differ between two observations of the same engine.
VOLATILE = ("observed_on",)


# --------------------------------------------------------------------------- observing


def cli(engine: ScratchEngine, *args: str) -> str:
    """Run the docker CLI against ``engine`` (never the learner's engine); return its stdout."""
    env = dict(os.environ, DOCKER_HOST=engine.host)
    env.pop("DOCKER_CONTEXT", None)
    done = subprocess.run(["docker", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise LabError(f"`docker {' '.join(args)}` failed on {engine.name}: {done.stderr.strip()}.")
    return done.stdout


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def remove_images(engine: ScratchEngine) -> None:
    """Remove every image of the scratch ``engine`` (it holds nothing of the learner's)."""
    import docker

    for image in engine.client.images.list(all=True):
        with contextlib.suppress(docker.errors.NotFound):
            engine.client.images.remove(image.id, force=True)


def load_images(engine: ScratchEngine) -> dict[str, str]:
    """Remove every image of the scratch ``engine``, then pull the lab images afresh under
    their Docker Hub names; return each one's manifest digest in the lab registry."""
    remove_images(engine)
    digests = {}
    for ref, source in IMAGES.items():
        repository, tag = source.rsplit(":", 1)
        image = engine.client.images.pull(repository, tag=tag)
        digests[ref] = next(
            (d.split("@", 1)[1] for d in image.attrs.get("RepoDigests", []) if "@" in d), ""
        )
        image.tag(*ref.rsplit(":", 1))
        # Untag the source: only the Docker Hub name stays, as for a learner.
        engine.client.images.remove(source)
    return digests


def _history_rows(engine: ScratchEngine, ref: str) -> list[dict]:
    """``docker history --no-trunc REF`` rows: IMAGE (``<missing>`` or ``image ID``),
    CREATED BY, SIZE and COMMENT; CREATED (an age) is left out."""
    template = "{{json .}}"
    rows = []
    for row in _json_lines(cli(engine, "history", "--no-trunc", "--format", template, ref)):
        rows.append(
            {
                "image": "<missing>" if row["ID"] == "<missing>" else "image ID",
                "created_by": row["CreatedBy"],
                "size": row["Size"],
                "comment": row["Comment"],
            }
        )
    return rows


def observe_on(engine: ScratchEngine) -> dict:
    """The image facts of a started scratch engine (its images are replaced by the lab's)."""
    digests = load_images(engine)
    client = engine.client
    version = client.version()
    info = client.info()
    images = {}
    listed = {
        f"{row['Repository']}:{row['Tag']}": row["Size"]
        for row in _json_lines(cli(engine, "images", "--format", "{{json .}}"))
    }
    api_sizes = {tag: row["Size"] for row in client.api.images() for tag in row["RepoTags"] or []}
    for ref in IMAGES:
        attrs = client.api.inspect_image(ref)
        images[ref] = {
            "digest": digests[ref],
            "id": attrs["Id"],
            "layers": attrs["RootFS"]["Layers"],
            "size": listed.get(ref),
            "size_bytes": api_sizes.get(ref),
        }
    stable, latest = (images[ref]["layers"] for ref in PAIR)
    shared = [layer for layer in stable if layer in latest]
    df_cli = json.loads(cli(engine, "system", "df", "-v", "--format", "{{json .}}"))
    df_api = client.df()
    df_api_images = {
        tag: row for row in df_api.get("Images") or [] for tag in row.get("RepoTags") or []
    }
    system_df = {}
    for row in df_cli["Images"]:
        ref = f"{row['Repository']}:{row['Tag']}"
        api = df_api_images.get(ref, {})
        system_df[ref] = {
            "size": row["Size"],
            "shared_size": row["SharedSize"],
            "unique_size": row["UniqueSize"],
            "size_bytes": api.get("Size"),
            "shared_size_bytes": api.get("SharedSize"),
        }
    totals = next(
        row for row in _json_lines(cli(engine, "system", "df", "--format", "{{json .}}"))
        if row["Type"] == "Images"
    )  # fmt: skip
    from .lab.engines import image_store

    return {
        "engine": f"Docker Engine {version['Version']}",
        "api_version": version["ApiVersion"],
        "containerd": next(
            (c["Version"] for c in version.get("Components", []) if c["Name"] == "containerd"),
            "?",
        ),
        "image_store": image_store(info),
        "storage_driver": info["Driver"],
        "images": images,
        "shared_layers": {"pair": list(PAIR), "layers": shared, "count": len(shared)},
        "system_df": {
            "images": dict(sorted(system_df.items())),
            "images_total": {
                "count": totals["TotalCount"],
                "size": totals["Size"],
                "reclaimable": totals["Reclaimable"],
            },
            "layers_size_bytes": df_api.get("LayersSize"),
        },
        "history": {HISTORY_OF: _history_rows(engine, HISTORY_OF)},
    }


def observe(setup: str) -> dict:
    """Observe the image facts on a fresh scratch engine of the set-up named ``setup``.

    Returns:
        The record: ``setup``, ``description``, ``engine``, ``api_version``, ``containerd``,
        ``image_store``, ``storage_driver``, ``images`` (per image: registry ``digest``, ``id``,
        ``layers``, ``size`` as ``docker images`` prints it, ``size_bytes``), ``shared_layers``,
        ``system_df`` and ``history``.

    Raises:
        LabError: The engine cannot start (not root, no dockerd, no package) or a command fails.
    """
    if shutil.which("docker") is None:
        raise LabError("Observing image facts needs the docker CLI: run `make setup` first.")
    from .lab import engines

    chosen = engines.SETUPS[setup]
    with engines.engine(chosen, "facts") as engine:
        record = observe_on(engine)
        remove_images(engine)  # leave no data behind
    return {"setup": chosen.name, "description": chosen.description, **record}


def observe_matrix(setups: list[str] | None = None) -> dict[str, dict]:
    """:func:`observe` on several set-ups at once (each engine has its own data root, socket
    and bridge), by default all; return ``{setup name: record}``."""
    import concurrent.futures

    from .lab.engines import SETUPS

    names = setups or list(SETUPS)
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        return dict(zip(names, pool.map(observe, names), strict=True))


# --------------------------------------------------------------------------- the record


def load_all(path: Path = DATA_FILE) -> dict[str, dict]:
    """Every recorded set-up: ``{setup name: record}``."""
    return setup_records.load_all(path)


def load(setup: str | None = None, path: Path = DATA_FILE) -> dict:
    """The record of one set-up (by default the lab's own engine, ``26.1``)."""
    return setup_records.load(path, setup)


def write(record: dict, path: Path = DATA_FILE) -> None:
    """Store ``record`` (one set-up's) with the date it was observed, keeping the others."""
    setup_records.write(path, record, images=IMAGES)


def comparable(record: dict) -> dict:
    """``record`` without what legitimately varies between two observations (the date)."""
    return {key: value for key, value in record.items() if key not in VOLATILE}


def _masked(text: str) -> str:
    """A history row's instruction with version numbers masked (``NGINX_VERSION=N``)."""
    return re.sub(r"\d[\w.+~:-]*", "N", text)


def shape(record: dict) -> dict:
    """What an engine shows of any build of the lab images: the engine and its store, how many
    layers each image has and which of them it shares, whether its ID is the registry digest
    (containerd store) or the config digest (classic), each history row's kind (image ID or
    ``<missing>``, instruction with versions masked, comment, whether it added bytes), and
    whether ``docker system df``'s total is the sum of sizes less the shared bytes counted
    twice. Two records of the same engine agree on it even when the lab images were rebuilt on
    another machine (other digests, a few bytes more or less).

    Example:
        >>> shape(load())["images"]["nginx:stable"]["layers"]  # doctest: +SKIP
        2
    """
    images = record["images"]
    base = images["debian:trixie-slim"]["layers"][0]
    df = record["system_df"]
    classic_total = (
        sum(df["images"][ref]["size_bytes"] for ref in IMAGES)
        - 2 * (df["images"]["debian:trixie-slim"]["size_bytes"])
    )
    return {
        key: record[key]
        for key in ("engine", "api_version", "containerd", "image_store", "storage_driver")
    } | {
        "images": {
            ref: {
                "layers": len(facts["layers"]),
                "on_the_base": facts["layers"][0] == base,
                "id_is_the_registry_digest": facts["id"] == facts["digest"],
            }
            for ref, facts in images.items()
        },
        "shared_layers": record["shared_layers"]["count"],
        "df_total_is_sum_less_shared": df["layers_size_bytes"] == classic_total,
        "history": {
            ref: [
                (row["image"], _masked(row["created_by"]), row["comment"], row["size"] != "0B")
                for row in rows
            ]
            for ref, rows in record["history"].items()
        },
    }


def differences(observed: dict, recorded: dict, prefix: str = "") -> list[str]:
    """The paths (``images.nginx:stable.size``) where two records differ, volatile keys aside.

    Example:
        >>> differences({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 3}})
        ['b.c: 2 != 3']
        >>> differences({"rows": [{"size": "1MB"}]}, {"rows": [{"size": "2MB"}]})
        ["rows.0.size: '1MB' != '2MB'"]
    """
    found = []
    if isinstance(observed, dict) and isinstance(recorded, dict):
        for key in sorted(set(observed) | set(recorded), key=str):
            if key in VOLATILE:
                continue
            where = f"{prefix}{key}"
            if key not in observed or key not in recorded:
                found.append(f"{where}: only in {'observed' if key in observed else 'recorded'}")
            else:
                found += differences(observed[key], recorded[key], where + ".")
    elif (
        isinstance(observed, list)
        and isinstance(recorded, list)
        and len(observed) == len(recorded)
        and observed != recorded
    ):
        for index, (left, right) in enumerate(zip(observed, recorded, strict=True)):
            found += differences(left, right, f"{prefix}{index}.")
    elif observed != recorded:
        found.append(f"{prefix.rstrip('.')}: {observed!r} != {recorded!r}")
    return found


def sizes_table(records: dict[str, dict] | None = None) -> pd.DataFrame:
    """``docker images`` and ``docker system df -v`` sizes per image, one column per set-up.

    Example:
        >>> sizes_table().loc[("nginx:stable", "docker images SIZE"), "26.1"]  # doctest: +SKIP
        '90.6MB'
    """
    import pandas as pd

    records = records or load_all()
    rows = {}
    for name, record in records.items():
        for ref in IMAGES:
            df = record["system_df"]["images"].get(ref, {})
            rows.setdefault((ref, "docker images SIZE"), {})[name] = record["images"][ref]["size"]
            rows.setdefault((ref, "system df SHARED SIZE"), {})[name] = df.get("shared_size")
            rows.setdefault((ref, "system df UNIQUE SIZE"), {})[name] = df.get("unique_size")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["image", "figure"]
    return table


def history_table(setup: str | None = None, records: dict[str, dict] | None = None):
    """The recorded ``docker history nginx:stable`` rows of one set-up as a DataFrame."""
    import pandas as pd

    record = (records or load_all())[setup] if setup else load(setup)
    return pd.DataFrame(record["history"][HISTORY_OF])


def where_engines_differ(records: dict[str, dict] | None = None) -> dict[str, list[str]]:
    """Per set-up, how its record differs from the default set-up's (empty when it agrees).

    Example:
        >>> where_engines_differ()["26.1"]  # doctest: +SKIP
        []
    """
    records = records or load_all()
    base = records[json.loads(DATA_FILE.read_text())["default"]]
    ignore = {"setup", "description", "engine", "api_version", "observed_on"}
    return {
        name: differences(
            {k: v for k, v in record.items() if k not in ignore},
            {k: v for k, v in base.items() if k not in ignore},
        )
        for name, record in records.items()
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.engine_facts [--write] [--setup NAME] [--restart-policies]``."""
    from .lab.engines import SETUPS

    parser = argparse.ArgumentParser(prog="python -m helpers.engine_facts")
    parser.add_argument("--write", action="store_true", help=f"store the result in {DATA_FILE}")
    parser.add_argument(
        "--setup", action="append", choices=list(SETUPS), help="only this set-up (repeatable)"
    )
    parser.add_argument(
        "--restart-policies",
        action="store_true",
        help="observe the restart policies on the same set-ups too (helpers.policy_observation)",
    )
    args = parser.parse_args(argv)
    for name in args.setup or list(SETUPS):
        try:
            record = observe(name)
        except TutorialError as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            return 1
        shared = record["shared_layers"]["count"]
        sizes = ", ".join(f"{ref} {record['images'][ref]['size']}" for ref in IMAGES)
        print(f"{name}: {record['engine']}, {record['image_store']} store: {sizes}; "
              f"{shared} shared layer(s)")  # fmt: skip
        if args.write:
            write(record)
        if args.restart_policies:
            from . import policy_observation

            status = policy_observation.main(
                ["--setup", name, *(["--write"] if args.write else [])]
            )
            if status:
                return status
    if args.write:
        print(f"stored in {DATA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
