# %% [markdown]
# # 02 · Search and pull
#
# Find an image, download it layer by layer, and see that a second tag reuses what the first
# one already brought.
#
# ## Overview
# 1. Searching: `docker search` and what a private registry offers instead
# 2. Pulling: `docker pull`, layers, and "Already exists"
# 3. Tags and digests
# 4. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [01 · Containers, Pods and containerd](01-containers-pods-and-containerd.ipynb) | Helpful | what an image becomes |
# | A registry (Docker Hub) | Helpful | where images are stored |
#
# **Time to learn:** 20 minutes
#
# ## Setup
# Check the engine, and forget the nginx tags an earlier run of the series pulled, so this
# lesson's pulls really download (tags you pulled yourself are never removed).

# %%
from helpers.cleanup import claim_pulls, cleanup, release_pulls
from helpers.notebook import setup_notebook
from helpers.registry import pull, search

lab = setup_notebook("02")
client = lab.client
TAGS = ["nginx:stable", "nginx:latest", "debian:trixie-slim"]
_ = release_pulls("series", client=client, refs=TAGS)
_ = claim_pulls(TAGS, notebook="series", client=client)

# %% [markdown]
# `claim_pulls` records the tags this lesson may remove again: only tags that were not here
# before. If you already had `nginx:stable`, your pulls below say "up to date" instead.
#
# ## 1. Searching
# `docker search` asks Docker Hub, and only Docker Hub. On a machine that cannot reach it (like
# the offline lab this series was recorded on) it fails:

# %%
# NBVAL_IGNORE_OUTPUT
!docker search nginx

# %% [markdown]
# A private registry has no search endpoint. It speaks the Registry API v2 instead: `GET
# /v2/_catalog` lists its repositories and `GET /v2/<name>/tags/list` a repository's tags. The
# `search` helper asks Docker Hub through the engine, as `docker search` does, and falls back to
# the lab registry's catalog, saying who answered:

# %%
results = search("nginx", client=client)
results.attrs["source"]

# %%
results[["name", "official", "tags", "source"]]

# %% [markdown]
# ## 2. Pulling
# `docker pull` downloads an image. With no registry in the name it comes from Docker Hub's
# `library/` namespace, here through the lab mirror. Each line with an ID is one **layer**:

# %%
%%bash
# NBVAL_IGNORE_OUTPUT
docker pull nginx:stable

# %% [markdown]
# Now pull `nginx` with no tag, which means `nginx:latest`. The `pull` helper shows a progress bar
# per layer and returns what happened to each one:

# %%
# NBVAL_IGNORE_OUTPUT
latest = pull("nginx", client=client)

# %% [markdown]
# The bottom layer was not downloaded at all: `nginx:latest` is built on the same base as
# `nginx:stable`, and the engine already had that layer.

# %%
latest[["layer", "status"]]

# %% [markdown]
# Only the layers that were missing crossed the network:

# %%
latest["status"].value_counts()

# %% [markdown]
# ## 3. Tags and digests
# A **tag** (`stable`, `latest`, `1.27`) is a name the publisher can move to a new image at any
# time. A **digest** is the SHA-256 of the image's manifest: it names exactly one image, forever.
# `docker images --digests` shows both:

# %%
%%bash
docker images --digests --format '{{.Repository}}:{{.Tag}}  {{.Digest}}' nginx

# %% [markdown]
# Pulling by digest gets exactly that image, whatever the tag points to today. The engine
# recorded the digest it pulled in the image's `RepoDigests`:

# %%
digest_ref = client.images.get("nginx:stable").attrs["RepoDigests"][0]
digest_ref

# %%
!docker pull {digest_ref}

# %% [markdown]
# "Image is up to date": the content named by that digest is already here. The digest is the
# same on every machine that pulls this image, which is why deployment files pin digests.
#
# ## 4. Try it yourself
# **Exercise.** Pull `debian:trixie-slim`, the base the lab's nginx images are built on, and
# check whether its only layer is the one both nginx tags share.

# %%
%%bash
# NBVAL_IGNORE_OUTPUT
docker pull debian:trixie-slim

# %% [markdown]
# Check (prints `True` when the base layer is shared):

# %%
base_layer = client.images.get("debian:trixie-slim").attrs["RootFS"]["Layers"][0]
all(base_layer in client.images.get(t).attrs["RootFS"]["Layers"] for t in TAGS[:2])

# %% [markdown]
# Pulling it reported "Already exists" for that layer: nothing was downloaded.
#
# ## Clean up
# The pulled tags stay for the next lessons (notebook 07 removes them). The clean-up call also lets
# the next notebook use the engine (see the README on running two copies at once):

# %%
len(cleanup(notebook="02"))

# %% [markdown]
# ## Summary
# - `docker search` asks Docker Hub only; a private registry lists `/v2/_catalog` and tags.
# - An image is a stack of layers; a pull downloads only the layers the engine lacks.
# - A tag can move; a digest (`name@sha256:...`) names one image for good.
#
# ## What's next?
# [03 · Images and shared layers](03-images-and-shared-layers.ipynb): how much disk two images
# sharing a base really use.
#
# ## Resources
# - Docker: [`docker search`](https://docs.docker.com/reference/cli/docker/search/) and
#   [`docker pull`](https://docs.docker.com/reference/cli/docker/image/pull/) (layers, digests)
# - Docker: [registry mirror / pull-through cache](https://docs.docker.com/docker-hub/image-library/mirror/)
# - Docker: [Docker Hub pull limits](https://docs.docker.com/docker-hub/usage/pulls/)
# - Distribution: [Registry HTTP API v2: catalog and tags](https://distribution.github.io/distribution/spec/api/)
