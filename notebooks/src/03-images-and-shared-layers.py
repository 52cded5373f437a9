# %% [markdown]
# # 03 · Images and shared layers
#
# List local images, open them up into layers, and work out how much disk images that share
# layers really use.
#
# ## Overview
# 1. `docker images`: what this engine holds
# 2. An image is a stack of layers: `RootFS.Layers`
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
# Check the engine and make sure both nginx tags are here (pulled quietly when they are not).
# `claim_pulls` notes that this notebook may remove `debian:trixie-slim` at the end, but only
# if it is not on the engine yet: an image you pulled yourself is never removed.

# %%
from helpers.cleanup import claim_pulls, cleanup
from helpers.layers import (
    MB,
    check_disk_used,
    disk_usage,
    engine_shares,
    layer_sizes,
    layer_table,
    layer_users,
)
from helpers.notebook import setup_notebook
from helpers.plots import shared_bytes_chart
from helpers.registry import ensure_image

lab = setup_notebook("03")
client = lab.client
TAGS = ["nginx:stable", "nginx:latest"]
THREE = [*TAGS, "debian:trixie-slim"]
for tag in TAGS:
    ensure_image(tag, client=client)
_ = claim_pulls(["debian:trixie-slim"], notebook="03", client=client)

# %% [markdown]
# ## 1. `docker images`
# `docker images nginx` lists the local images of the `nginx` repository, one row per tag. Which
# columns it prints depends on the CLI version; `--format` names the columns to print, so the
# table has these four whatever your version:

# %%
!docker images nginx --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}'

# %% [markdown]
# Two tags, two image IDs, two sizes. Added up, the sizes suggest the pair takes their sum on
# disk. It takes less, because the two images share a layer.
#
# ## 2. An image is a stack of layers
# `docker image inspect` shows an image's layers under `RootFS.Layers`, bottom first. Each is
# named by the `sha256` digest of its unpacked content (its *diff ID*):

# %%
!docker image inspect --format '{{json .RootFS.Layers}}' nginx:stable nginx:latest

# %% [markdown]
# Each tag has two layers, and both lists start with the same digest. The `layer_sizes` helper
# reads the same list through the Docker SDK and pairs each layer with its size from the image's
# history; `layer_table` puts the two images side by side, one row per distinct layer, with how
# many of the images use it (`users`):

# %%
images = {tag: layer_sizes(client, tag) for tag in TAGS}
table = layer_table(images)
table[["layer", "size_mb", *TAGS, "users"]]

# %% [markdown]
# Three distinct layers: the bottom one is used by both tags (the Debian base), and each tag
# has one layer of its own (its nginx). The number of layers both tags use:

# %%
int(table["shared"].sum())

# %% [markdown]
# ## 3. Disk used versus the sum of sizes
# Adding image sizes up counts a layer once for every image that uses it, but the engine stores
# it once. So the disk several images use together is
#
# > **disk used = sum of sizes − Σ over shared layers of (users − 1) × layer size**
#
# When every shared layer has exactly two users, as with two tags built on one base, that is
# simply *sum of sizes − shared bytes*. With three or more users it is not (section 5).
#
# The source notes do this sum with Docker Hub's images of their time: two tags of 133 MB that
# share a 69.3 MB base take 133 + 133 − (2 − 1) × 69.3 = 196.7 MB, not 266 MB. Here is the same
# rule with this engine's images: `overcount_mb` is (users − 1) × size for each layer.

# %%
table[["layer", "size_mb", "users", "overcount_mb"]]

# %% [markdown]
# The totals in MB: `sum_of_sizes` adds the two sizes up, `saved` is the overcount above, and
# `disk_used` counts each distinct layer once:

# %%
usage = disk_usage(images)
{key: round(value / MB, 1) for key, value in usage.items()}

# %% [markdown]
# Counting each distinct layer once gives the same bytes as the rule, and with two images the
# overcount is exactly the shared bytes:

# %%
(
    usage["disk_used"] == usage["sum_of_sizes"] - usage["saved"],
    usage["saved"] == usage["shared"],
)

# %% [markdown]
# Drawn per image: the blue part is the layer the two images share, stored once.

# %%
shared_bytes_chart(images)

# %% [markdown]
# ## 4. The engine's own accounting
# `docker system df -v` reports disk use per image. In its images table, SIZE is the image's full
# size, SHARED SIZE the bytes of its layers that another image on this engine also uses, and
# UNIQUE SIZE the rest. `grep` keeps the header and the nginx rows:

# %%
!docker system df -v | grep -E '^(REPOSITORY|nginx) '

# %% [markdown]
# `engine_shares` works the same three numbers out from `RootFS.Layers`, counting the users of
# each layer among all images on this engine as the engine does, and compares them with the
# engine's own to the byte:

# %%
engine_shares(client, TAGS)

# %% [markdown]
# ## 5. Try it yourself
# **Exercise.** The lab's nginx images are built on `debian:trixie-slim`. Pull it, look at its
# layers with `docker image inspect`, and work out how much disk the three images
# `nginx:stable`, `nginx:latest` and `debian:trixie-slim` use together, in bytes. Put the result
# in a variable named `three_used`. (`layer_sizes(client, "debian:trixie-slim")` gives its layer
# sizes; `images` already holds the two nginx tags'.)

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker pull -q debian:trixie-slim
!docker image inspect --format '{{json .RootFS.Layers}}' debian:trixie-slim
three = {**images, "debian:trixie-slim": layer_sizes(client, "debian:trixie-slim")}
users = layer_users(three)
sizes = {layer: size for layers in three.values() for layer, size in layers.items()}
sum_of_sizes = sum(sum(layers.values()) for layers in three.values())
three_used = sum_of_sizes - sum((users[layer] - 1) * size for layer, size in sizes.items())

# %% [markdown]
# Check your answer:

# %%
print(check_disk_used(client, THREE, globals().get("three_used"), name="three_used"))

# %% [markdown]
# Debian's one layer is the nginx images' base, so the base now has three users and the sum of
# sizes counts it twice too often. Taking the shared bytes off once, as for two images, leaves
# one copy too many; the rule does not:

# %%
three_usage = disk_usage({ref: layer_sizes(client, ref) for ref in THREE})
(
    three_usage["disk_used"] == three_usage["sum_of_sizes"] - three_usage["saved"],
    three_usage["disk_used"] == three_usage["sum_of_sizes"] - three_usage["shared"],
)

# %% [markdown]
# ## Clean up
# This lesson only read images; the clean-up removes `debian:trixie-slim` if this notebook pulled
# it, and lets the next notebook use the engine:

# %%
_ = cleanup(notebook="03")

# %% [markdown]
# ## Summary
# - `docker images` shows each image's full size; `--format` picks the columns.
# - `docker image inspect --format '{{json .RootFS.Layers}}'` lists an image's layers, bottom
#   first; compare two lists to find the layers two images share.
# - Disk used = sum of sizes − Σ over shared layers of (users − 1) × layer size. "Sum − shared"
#   is the special case where every shared layer has two users.
# - `docker system df -v` reports each image's SHARED SIZE and UNIQUE SIZE, and they agree with
#   the layer arithmetic to the byte.
#
# ## What's next?
# [04 · Image history](04-image-history.ipynb): which instruction made which layer.
#
# ## Resources
# - Docker: [`docker image ls`](https://docs.docker.com/reference/cli/docker/image/ls/) and its `--format`
# - Docker: [`docker image inspect`](https://docs.docker.com/reference/cli/docker/image/inspect/)
# - Docker: [Storage drivers: images and layers](https://docs.docker.com/engine/storage/drivers/)
# - Docker: [`docker system df`](https://docs.docker.com/reference/cli/docker/system/df/)
# - OCI image spec: [layer diff IDs and chain IDs](https://github.com/opencontainers/image-spec/blob/main/config.md)
