# %% [markdown]
# # 03 · Images and shared layers
#
# List local images, open them up into layers, and work out how much disk two images that share a
# base really use.
#
# ## Overview
# 1. `docker images`
# 2. An image is a stack of layers
# 3. Disk used versus the sum of sizes
# 4. The engine's own accounting: `docker system df -v`
# 5. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [02 · Search and pull](02-search-and-pull.ipynb) | Necessary | layers and "Already exists" |
#
# **Time to learn:** 15 minutes
#
# ## Setup

# %%
from helpers.cleanup import cleanup
from helpers.layers import MB, disk_usage, engine_disk_usage, layer_sizes, layer_table
from helpers.notebook import setup_notebook
from helpers.plots import shared_bytes_chart
from helpers.registry import ensure_image

lab = setup_notebook("03")
client = lab.client
TAGS = ["nginx:stable", "nginx:latest"]
for tag in TAGS:
    ensure_image(tag, client=client)

# %% [markdown]
# ## 1. `docker images`
# `docker images nginx` lists the local images of the `nginx` repository. Its columns changed in
# recent CLI versions, so this lesson names them with `--format`:

# %%
%%bash
docker images nginx --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}'

# %% [markdown]
# Added up, the two look like they take the sum of both sizes. They do not.
#
# ## 2. An image is a stack of layers
# `docker image inspect` lists an image's layers under `RootFS.Layers`, bottom first, each named
# by the digest of its content. The `layer_sizes` helper pairs them with their sizes:

# %%
images = {tag: layer_sizes(client, tag) for tag in TAGS}
{tag: len(layers) for tag, layers in images.items()}

# %% [markdown]
# One row per distinct layer, and which image uses it:

# %%
table = layer_table(images)
table

# %% [markdown]
# The number of layers both tags use:

# %%
int(table["shared"].sum())

# %% [markdown]
# ## 3. Disk used versus the sum of sizes
# The source notes do this sum with Docker Hub's images of the time: two tags of 133 MB that share
# a 69.3 MB base take 133 + 133 − 69.3 = 196.7 MB, not 266 MB. Here is the same sum with the real
# numbers of the images on this engine (in MB):

# %%
usage = disk_usage(images)
{key: round(value / MB, 1) for key, value in usage.items()}

# %% [markdown]
# `disk_used` is `sum_of_sizes − shared`: every shared layer is stored once.

# %%
usage["disk_used"] == usage["sum_of_sizes"] - usage["shared"]

# %% [markdown]
# Drawn per image: the blue part is stored once for both.

# %%
shared_bytes_chart(images)

# %% [markdown]
# ## 4. The engine's own accounting
# `docker system df -v` reports, per image, its size, the part shared with other images and the
# part unique to it:

# %%
%%bash
# NBVAL_IGNORE_OUTPUT
docker system df -v | sed -n '/^REPOSITORY/,/^$/p'

# %% [markdown]
# The helper reads the same numbers from the engine API:

# %%
engine = engine_disk_usage(client, TAGS)
engine

# %% [markdown]
# They agree with the layer arithmetic above (to the byte, before rounding):

# %%
shared_engine = client.df()["Images"]
all(
    i["SharedSize"] == usage["shared"]
    for i in shared_engine
    if set(i["RepoTags"] or []) & set(TAGS)
)

# %% [markdown]
# ## 5. Try it yourself
# **Exercise.** `debian:trixie-slim` is the base of both nginx images. Add it to `images` with
# `layer_sizes` and recompute `disk_usage`: how much more disk do three images take than two?

# %%
ensure_image("debian:trixie-slim", client=client)
three = {**images, "debian:trixie-slim": layer_sizes(client, "debian:trixie-slim")}
disk_usage(three)["disk_used"] - usage["disk_used"]

# %% [markdown]
# Zero bytes: the Debian image is nothing but the shared base layer.
#
# ## Clean up
# This lesson only read images, so there is nothing to remove. The clean-up call also lets the next
# notebook use the engine (see the README on running two copies at once):

# %%
len(cleanup(notebook="03"))

# %% [markdown]
# ## Summary
# - `docker images` shows each image's full size; images that share layers store them once.
# - `RootFS.Layers` lists an image's layers; compare two lists to find the shared ones.
# - Disk used = sum of sizes − shared layers; `docker system df -v` reports the same.
#
# ## What's next?
# [04 · Image history](04-image-history.ipynb): which instruction made which layer.
#
# ## Resources
# - Docker: [`docker image ls`](https://docs.docker.com/reference/cli/docker/image/ls/) and its `--format`
# - Docker: [Storage drivers: images and layers](https://docs.docker.com/engine/storage/drivers/)
# - Docker: [`docker system df`](https://docs.docker.com/reference/cli/docker/system/df/)
