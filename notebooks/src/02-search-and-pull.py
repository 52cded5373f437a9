# %% [markdown]
# # 02 · Search and pull
#
# Find an image, download it layer by layer, and see that a second tag reuses what the first
# one already brought.
#
# ## Overview
# 1. Searching: `docker search` and what a private registry offers instead
# 2. Pulling: `docker pull`, layers, and "Already exists"
# 3. Tags: stable, mainline, latest
# 4. Digests
# 5. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [01 · Containers, Pods and containerd](01-containers-pods-and-containerd.ipynb) | Helpful | what an image becomes |
# | A registry (Docker Hub) | Helpful | where images are stored |
#
# **Time to learn:** 25 minutes
#
# ## Setup
# Check the engine, and forget the image tags an earlier run of the series pulled, so this
# lesson's pulls really download. Tags you pulled yourself are never removed: if you already had
# `nginx:stable`, the pulls below say "Image is up to date" instead. Run again mid-lesson, the
# cell keeps what this lesson has pulled so far.

# %%
from helpers.cleanup import claim_pulls, cleanup, release_pulls
from helpers.layers import check_base_layer_shared
from helpers.notebook import setup_notebook
from helpers.registry import search

lab = setup_notebook("02")
client = lab.client
TAGS = ["nginx:stable", "nginx:latest", "debian:trixie-slim"]
if not lab.rerun:
    _ = release_pulls("series", client=client, refs=TAGS)
_ = claim_pulls(TAGS, notebook="series", client=client)

# %% [markdown]
# ## 1. Searching
# `docker search` asks Docker Hub, and only Docker Hub. This lab has no Internet, so it fails, and
# the engine's message says why: it could not reach Docker Hub's search endpoint (when this
# notebook is checked, the network detail after the address is masked).

# %%
!docker search nginx

# %% [markdown]
# A private registry has no search endpoint. It speaks the Registry HTTP API v2 instead:
# `GET /v2/_catalog` lists its repositories. This lab's registry (the engine's Docker Hub mirror,
# on port 5000) answers:

# %%
!curl -s http://127.0.0.1:5000/v2/_catalog

# %% [markdown]
# and `GET /v2/<name>/tags/list` lists one repository's tags:

# %%
!curl -s http://127.0.0.1:5000/v2/library/nginx/tags/list

# %% [markdown]
# The `search` helper does both: it asks Docker Hub through the engine, as `docker search` does,
# and falls back to the lab registry's catalog, saying who answered. The lab's images are lab
# builds, not Docker's official ones, so `official` is False; the description is the image's own
# label saying so.

# %%
search("nginx", client=client)[["name", "official", "tags", "source"]]

# %% [markdown]
# ## 2. Pulling
# `docker pull` downloads an image. With no registry in the name it comes from Docker Hub's
# `library/` namespace, here through the lab mirror. The lines with an ID are about **layers**,
# and each layer gets several of them: `Pulling fs layer`, maybe `Waiting`, `Verifying Checksum`,
# `Download complete`, then `Pull complete` once it is unpacked. Downloads run in parallel, so the
# order of those lines changes from pull to pull; when this notebook is checked, only the
# `Pull complete` and `Already exists` lines (one per layer) and the summary lines are compared.

# %%
!docker pull nginx:stable

# %% [markdown]
# Two IDs, so two layers: the Debian base and the layer that installed nginx. Now pull `nginx`
# with no tag, which means `nginx:latest`:

# %%
!docker pull nginx

# %% [markdown]
# The first layer says **Already exists**: nothing was downloaded for it. In this lab both nginx
# tags are built `FROM` the same `debian:trixie-slim` base, so they share exactly that layer, and
# the engine already had it from `nginx:stable`. (Two tags share layers only when they are built
# on the same base; notebook 03 measures what that saves.) `Status: Downloaded newer image` says
# that the tag is new on this machine.
#
# The IDs in a pull are the first 12 hex digits of each layer's digest in the image's
# **manifest**, the registry's list of an image's layers. The registry stores layers compressed,
# and the `size` of each is compressed bytes: that is what a pull downloads, and what the progress
# bar in a terminal counts (byte counts are masked when this notebook is checked):

# %%
!docker buildx imagetools inspect --raw 127.0.0.1:5000/library/nginx:stable

# %% [markdown]
# `docker images` shows the size of each image unpacked on disk, larger than its compressed
# layers (sizes are masked when this notebook is checked):

# %%
!docker images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}' nginx

# %% [markdown]
# ## 3. Tags: stable, mainline, latest
# A **tag** (`stable`, `latest`, `1.26`) is a name the publisher can move to a new image at any
# time; a tag can also name an image for one OS or CPU, as `trixie-slim` does for Debian. On
# [Docker Hub's nginx page](https://hub.docker.com/_/nginx), `mainline` follows nginx's mainline
# branch (new features, odd minor versions such as 1.27), `latest` is the same image as `mainline`,
# and `stable` follows the stable branch (even minor versions such as 1.26, fixes only); see
# [nginx.org's download page](https://nginx.org/en/download.html) for the two branches.
#
# This lab's tags are its own builds: ask the images which nginx they hold. `nginx:stable` is
# Debian 13's nginx:

# %%
!docker run --rm nginx:stable nginx -v

# %% [markdown]
# and `nginx:latest` is the newest nginx Debian packages (from its next release):

# %%
!docker run --rm nginx:latest nginx -v

# %% [markdown]
# The image says who built it in its labels; these are not Docker's official images:

# %%
!docker inspect --format '{{index .Config.Labels "org.opencontainers.image.description"}}' nginx:stable

# %% [markdown]
# ## 4. Digests
# A **digest** is the SHA-256 of a manifest; the engine records the one it pulled, and
# `docker images --digests` shows it next to the tag:

# %%
!docker images --digests --format '{{.Repository}}:{{.Tag}}  {{.Digest}}' nginx

# %% [markdown]
# What a digest names depends on the registry. Ask this lab's registry what `nginx:stable` is:

# %%
!docker buildx imagetools inspect 127.0.0.1:5000/library/nginx:stable

# %% [markdown]
# Here the digest names one image manifest for one platform (`manifest.v2+json`). On
# Docker Hub, `nginx:stable` names an **index** (`application/vnd.oci.image.index.v1+json`): a list
# of manifests, one per platform (amd64, arm64, ...), and the repo digest the engine records is the
# index's; each platform's image has a digest of its own
# ([multi-platform images](https://docs.docker.com/build/building/multi-platform/)). Either way a
# digest never moves: pulling by digest gets exactly that content, whatever the tag points to
# today. The engine keeps the digest in the image's `RepoDigests`:

# %%
digest_ref = client.images.get("nginx:stable").attrs["RepoDigests"][0]
digest_ref

# %%
!docker pull {digest_ref}

# %% [markdown]
# "Image is up to date": the content named by that digest is already here, so nothing moved.
# This is why deployment files pin digests rather than tags.
#
# ## 5. Try it yourself
# **Exercise.** Pull `debian:trixie-slim`, the base the lab's nginx images are built on. Before
# you run it, predict what the pull will say about its only layer. Write the command in the empty
# cell, run it, then run the check.

# %%

# %% [markdown]
# Solution (hidden; click to show):

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker pull debian:trixie-slim

# %% [markdown]
# Check:

# %%
print(check_base_layer_shared(client, "debian:trixie-slim", ["nginx:stable", "nginx:latest"]))

# %% [markdown]
# ## Clean up
# The pulled tags stay for the next lessons (notebook 07 removes them). The clean-up call removes
# what this notebook made and lets the next notebook use the engine:

# %%
len(cleanup(notebook="02"))

# %% [markdown]
# ## Summary
# - `docker search` asks Docker Hub only; a private registry lists `GET /v2/_catalog` and
#   `GET /v2/<name>/tags/list` instead.
# - An image is a stack of layers; a pull prints several status lines per layer and downloads only
#   the layers the engine lacks ("Already exists" for the rest), compressed.
# - On Docker Hub `latest` is nginx's mainline and `stable` its stable branch; in this lab they are
#   Debian's nginx 1.30.6 and 1.26.3, lab builds on one shared base.
# - A tag can move; a digest (`name@sha256:...`) never does. On Docker Hub it usually names a
#   multi-platform index, in this lab one single-platform manifest.
#
# ## What's next?
# [03 · Images and shared layers](03-images-and-shared-layers.ipynb): how much disk two images
# sharing a base really use.
#
# ## Resources
# - Docker: [`docker search`](https://docs.docker.com/reference/cli/docker/search/) and
#   [`docker pull`](https://docs.docker.com/reference/cli/docker/image/pull/) (layers, digests)
# - Docker: [`docker buildx imagetools inspect`](https://docs.docker.com/reference/cli/docker/buildx/imagetools/inspect/)
#   and [multi-platform images](https://docs.docker.com/build/building/multi-platform/)
# - Docker Hub: [nginx](https://hub.docker.com/_/nginx) (its tags); nginx:
#   [stable and mainline](https://nginx.org/en/download.html)
# - Docker: [registry mirror / pull-through cache](https://docs.docker.com/docker-hub/image-library/mirror/)
# - Docker: [Docker Hub pull limits](https://docs.docker.com/docker-hub/usage/pulls/)
# - Distribution: [Registry HTTP API v2: catalog and tags](https://distribution.github.io/distribution/spec/api/)
