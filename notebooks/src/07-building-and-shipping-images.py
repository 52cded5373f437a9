# %% [markdown]
# # 07 · Building and shipping your own image
#
# Write a three-line Dockerfile around a page of your own, build it with BuildKit, watch the
# build cache at work, ship the image through a registry and run what comes back.
#
# ## Overview
# 1. A page and a Dockerfile
# 2. `docker build`
# 3. The build cache: `CACHED`, and what makes a step run again
# 4. `docker history`: the base's layers and one more
# 5. `.dockerignore`: files the builder never sees
# 6. `docker tag` and `docker push` to the lab registry
# 7. Pull it back by digest and run it
# 8. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [04 · Image history](04-image-history.ipynb) | Necessary | layers, metadata steps, `docker history` |
# | [06 · Publishing ports](06-publishing-ports.ipynb) | Necessary | `-p 127.0.0.1:8080:80`, `curl` |
# | [02 · Search and pull](02-search-and-pull.ipynb) | Helpful | the lab registry, digests |
#
# **Time to learn:** 25 minutes
#
# ## Setup
# The lesson builds on `nginx:stable` (the setup fetches it when it is missing), writes its files
# in a folder of its own, `work-07` beside this notebook, and publishes its site on host port
# 8087 (or the next free port, and it says so). It pushes to the lab registry under the series'
# own name, `127.0.0.1:5000/docker-notebooks/my-site`; the last cell deletes that from the
# registry again, with everything else the lesson made. If an image of yours is tagged `my-site`,
# the setup stops and says so: building would take the tag from it.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.shipping import (
    check_new_push,
    check_tags_free,
    delete_pushed,
    registry_digest,
    repo_digest,
    series_repository,
)
from helpers.workdir import lesson_folder

lab = setup_notebook("07")
client = lab.client
if not lab.rerun:
    delete_pushed("07")
REPO = series_repository("07", "my-site")
check_tags_free(["my-site", REPO, f"{REPO}:v2"], client=client)
_ = ensure_image("nginx:stable", client=client)
folder = lesson_folder("07")
PORT = free_port(8087, notebook="07", client=client)

# %% [markdown]
# ## 1. A page and a Dockerfile
# First the page, the learner's own content (`%%writefile` saves a cell as a file; change the
# text if you like):

# %%
%%writefile work-07/index.html
<h1>Hello from my own image</h1>

# %% [markdown]
# A Dockerfile is the recipe for an image, one instruction a line. `FROM` names the base image
# to start from; `COPY` adds files from the build's folder; `LABEL` sets metadata. In this lab,
# `nginx:stable` is Debian's nginx, which serves the folder `/var/www/html`; Docker Hub's
# official nginx image serves `/usr/share/nginx/html` instead, so with it the `COPY` names that
# folder.

# %%
%%writefile work-07/Dockerfile
FROM nginx:stable
COPY index.html /var/www/html/
LABEL org.opencontainers.image.title="my-site"

# %% [markdown]
# ## 2. `docker build`
# `docker build -t my-site work-07` builds the image from the Dockerfile in `work-07` and tags
# it `my-site`. The folder is the *build context*: the files `COPY` may take. The first line of
# the cell, `%%time`, is Jupyter's stopwatch (in a terminal, type `time docker build ...`):

# %%
%%time
!docker build -t my-site work-07

# %% [markdown]
# That is BuildKit's log, the default builder since Docker Engine 23.0 (a terminal shows a
# compact view of the same; `--progress=plain` prints this one there too). Each `#N` is a step.
# The `[internal]` steps read the Dockerfile, `.dockerignore` (section 5) and the context; then
# come the Dockerfile's own steps, numbered `[1/2]` and `[2/2]`: `FROM`, then `COPY`. `LABEL`
# has no step of its own, since it only changes the image's configuration. "exporting to image"
# writes the image and names it `docker.io/library/my-site`: a name without a registry means
# Docker Hub's, as it does for `nginx`.
#
# ## 3. The build cache: `CACHED`, and what makes a step run again
# Run the very same build again:

# %%
%%time
!docker build -t my-site work-07

# %% [markdown]
# `COPY` now says `CACHED`: BuildKit kept the result of each step, with a key made of the
# instruction, the step before it and, for `COPY` and `ADD`, the content of the files it copies.
# Same key, so the step did not run; BuildKit took its earlier result, and `writing image` names
# the same image ID as before. The `Wall time` lines show how long each build took. Both are
# short: the only step copies one small file, so the time goes to starting the build and writing
# the image, and the cache has little to save. It saves the most on slow steps: a `CACHED` step
# does not run at all, so a `RUN` that takes minutes to install packages takes none on the
# second build.
#
# Now change the page:

# %%
%%writefile work-07/index.html
<h1>Hello from my own image, version 2</h1>

# %% [markdown]
# and build again:

# %%
%%time
!docker build -t my-site work-07

# %% [markdown]
# The `COPY` ran again (`DONE`, not `CACHED`): the file's content changed, so did the step's
# key, and with it every step after it. Writing the same content again would not count, since
# the key covers what a file holds, not when it was saved. So a Dockerfile puts the steps that
# change least (a slow `RUN` installing packages) first and what changes most (your own files)
# last.
#
# ## 4. `docker history`: the base's layers and one more
# Lesson 04 read `nginx:stable`'s recipe back with `docker history`. The new image's history is
# nginx:stable's with two rows on top, the two instructions after `FROM`:

# %%
!docker history my-site

# %% [markdown]
# `COPY` added the size of `index.html`; `LABEL` added 0 B, a metadata step as in 04. So the new
# image has one layer more than its base. `RootFS.Layers` counts them, base first:

# %%
!docker image inspect --format '{{len .RootFS.Layers}}' nginx:stable my-site

# %% [markdown]
# and the new image starts with exactly the base's layers, in order: they are reused, not copied.

# %%
base_layers = client.images.get("nginx:stable").attrs["RootFS"]["Layers"]
my_layers = client.images.get("my-site").attrs["RootFS"]["Layers"]
n = len(base_layers)
print(f"my-site's first {n} layers are nginx:stable's {n}:", my_layers[:n] == base_layers)

# %% [markdown]
# Sizes tell the same story. `docker image inspect` gives each image's size in bytes:

# %%
!docker image inspect --format '{{.Size}}' nginx:stable my-site

# %% [markdown]
# The difference is the page, byte for byte. On disk the base's layers are stored once and shared
# by both images (lesson 03's arithmetic):

# %%
sizes = {ref: client.images.get(ref).attrs["Size"] for ref in ("nginx:stable", "my-site")}
print(f"my-site - nginx:stable = {sizes['my-site'] - sizes['nginx:stable']} bytes;",
      f"index.html is {(folder / 'index.html').stat().st_size} bytes")  # fmt: skip

# %% [markdown]
# ## 5. `.dockerignore`: files the builder never sees
# A folder holds more than what belongs in an image: notes, drafts, keys. Put a note beside the
# page:

# %%
%%writefile work-07/notes.txt
Ideas for the site. Not for the image.

# %% [markdown]
# A `.dockerignore` file in the context lists the files the builder must not get, one pattern a
# line (`*.txt`, `secrets/`, `.git`):

# %%
%%writefile work-07/.dockerignore
notes.txt

# %% [markdown]
# To see it work, build a second Dockerfile (`-f` names it) that tries to copy the note. This
# build fails, on purpose:

# %%
%%writefile work-07/Dockerfile.notes
FROM nginx:stable
COPY notes.txt /var/www/html/

# %%
!docker build -f work-07/Dockerfile.notes work-07

# %% [markdown]
# `"/notes.txt": not found`, although the file is right there in the folder:

# %%
!ls work-07

# %% [markdown]
# The builder gets the context as `.dockerignore` filters it, so for the build `notes.txt` does
# not exist; the last line is the series' one-sentence reading of BuildKit's error. A misspelt
# instruction fails the same way before any step runs (`unknown instruction: COPPY`).
#
# ## 6. `docker tag` and `docker push` to the lab registry
# An image's name says where it lives: `registry/path:tag`. To push `my-site` to the lab
# registry, give it a second name that starts with the registry's address. The series keeps its
# images under `docker-notebooks/`:

# %%
!docker tag my-site 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown]
# A tag is only a name: one image, with two names now.

# %%
!docker image inspect --format '{{.Id}} {{.RepoTags}}' my-site

# %% [markdown]
# `docker push` uploads the image: one line per layer, `Pushed`, or, for a layer the registry
# already holds, `Layer already exists` (or `Mounted from` another of its repositories); then the
# tag and the *digest* of what the registry stored:

# %%
!docker push 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown]
# The registry now lists the tag, through the same API as in lesson 02:

# %%
!curl -s http://127.0.0.1:5000/v2/docker-notebooks/my-site/tags/list

# %% [markdown]
# A tag can move to another image with the next push; a digest cannot: it is the hash of the
# image's manifest, so it names this exact content for good. After a push the engine records the
# digest as the image's *repo digest*:

# %%
!docker image inspect --format '{{index .RepoDigests 0}}' 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown]
# Keep it, and the image's ID, for the next section (`PINNED` is the name with its digest):

# %%
PINNED = repo_digest(REPO, client)
BUILT_ID = client.images.get(REPO).id
print(PINNED == f"{REPO}@{registry_digest('docker-notebooks/my-site', 'latest')}")

# %% [markdown]
# (`True`: the digest the engine recorded is the one the registry serves for the tag.)
#
# ## 7. Pull it back by digest and run it
# Remove both local names. The image goes with its last name:

# %%
!docker rmi my-site 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown]
# Pull it back from the registry by its digest (`{PINNED}` is the lesson's Python variable; in a
# terminal you type the name, `@`, and the digest):

# %%
!docker pull {PINNED}

# %% [markdown]
# Every layer "Already exists": nginx:stable's two are here, and the build cache still holds the
# page's; the pull fetched the image's manifest and configuration. Pulled by digest, the image
# has no tag, only its digest:

# %%
!docker images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown]
# and it is the very image built in section 3, with the same ID:

# %%
print("same image ID as the one built:", client.images.get(PINNED).id == BUILT_ID)

# %% [markdown]
# Run it, by digest, published on 127.0.0.1 as in lesson 06:

# %%
!docker run -d --name my-site -p 127.0.0.1:{PORT}:80 {PINNED}

# %% [markdown]
# The helper waits (bounded) until the port answers; then curl asks for your page:

# %%
_ = wait_http(f"http://127.0.0.1:{PORT}")

# %%
!curl -s 127.0.0.1:{PORT}

# %% [markdown]
# Your page, served by your image, pulled back from the registry by digest.
#
# ## 8. Try it yourself
# **Exercise.** Change the page (your own heading), build `my-site` again, and push it to the
# lab registry as version `v2`: `127.0.0.1:5000/docker-notebooks/my-site:v2`. Then run the
# check below: it asks the registry for `v2` and compares its digest with the first push's.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
!echo '<h1>My site, version 3</h1>' > work-07/index.html
!docker build -t my-site work-07
!docker tag my-site 127.0.0.1:5000/docker-notebooks/my-site:v2
!docker push 127.0.0.1:5000/docker-notebooks/my-site:v2

# %% [markdown]
# Check:

# %%
print(check_new_push(REPO, "v2", pinned=PINNED))

# %% [markdown]
# ## Clean up
# Delete the lesson's repository from the lab registry (its tags through the registry's API,
# then its folder, so the registry lists only the lab's images again), then remove what this
# notebook made (selected by its label: the container, the images, the build cache records of
# its builds, the `work-07` folder) and let the next notebook use the engine:

# %%
print("deleted from the lab registry:", *delete_pushed("07"))
cleanup(notebook="07")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - A Dockerfile is a recipe: `FROM` a base, `COPY` your files in, `LABEL` metadata.
#   `docker build -t NAME FOLDER` builds it with BuildKit; the folder is the build context.
# - BuildKit caches each step: an unchanged rebuild says `CACHED` and runs nothing; a changed
#   file re-runs the `COPY` that takes it and every step after it. Put what changes most last.
# - The new image is the base's layers, reused, plus one layer per `COPY`; `LABEL` adds 0 B.
#   `docker history` shows both, `RootFS.Layers` counts them.
# - `.dockerignore` keeps files out of the context: a `COPY` of one fails with `not found`.
# - `docker tag` gives an image a registry name, `docker push` uploads it and prints its
#   digest, and `docker pull NAME@sha256:...` brings back exactly that image, same ID.
#
# ## What's next?
# [08 · Inside containers and keeping data](08-inside-containers-and-keeping-data.ipynb): look
# inside a running container, and keep data when it goes.
#
# ## Resources
# - Docker: [BuildKit](https://docs.docker.com/build/buildkit/) (the default builder since
#   Docker Engine 23.0)
# - Docker: [Dockerfile reference](https://docs.docker.com/reference/dockerfile/) and
#   [`docker build`](https://docs.docker.com/reference/cli/docker/buildx/build/)
# - Docker: [Build cache](https://docs.docker.com/build/cache/) and
#   [cache invalidation](https://docs.docker.com/build/cache/invalidation/)
# - Docker: [Build context and `.dockerignore`](https://docs.docker.com/build/concepts/context/)
# - Docker: [`docker image tag`](https://docs.docker.com/reference/cli/docker/image/tag/),
#   [`docker image push`](https://docs.docker.com/reference/cli/docker/image/push/) and
#   [pull by digest](https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier)
# - Docker Hub: [the official nginx image](https://hub.docker.com/_/nginx) (serves
#   `/usr/share/nginx/html`)
# - Distribution: [Registry HTTP API v2](https://distribution.github.io/distribution/spec/api/)
#   (tags, manifests, deleting)
