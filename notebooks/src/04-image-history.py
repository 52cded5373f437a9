# %% [markdown]
# # 04 · Image history
#
# Read an image's recipe back out of it: which instruction made each layer, and how big it is.
#
# ## Overview
# 1. `docker history`
# 2. Layers and metadata steps
# 3. Why older rows say `<missing>`
# 4. The shared base layer, found in both histories
# 5. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [03 · Images and shared layers](03-images-and-shared-layers.ipynb) | Necessary | layers, `RootFS.Layers` |
# | A Dockerfile's instructions | Helpful | `FROM`, `RUN`, `ADD`, `CMD` |
#
# **Time to learn:** 15 minutes
#
# ## Setup

# %%
from helpers.cleanup import cleanup
from helpers.history import history_frame
from helpers.notebook import setup_notebook
from helpers.plots import layer_size_chart
from helpers.registry import ensure_image

lab = setup_notebook("04")
client = lab.client
TAGS = ["nginx:stable", "nginx:latest"]
for tag in TAGS:
    ensure_image(tag, client=client)

# %% [markdown]
# ## 1. `docker history`
# `docker history` lists the steps that built an image, newest first, with the size each added:

# %%
# NBVAL_IGNORE_OUTPUT
!docker history nginx:stable

# %% [markdown]
# The same as a DataFrame, with each step's instruction spelled out:

# %%
stable = history_frame(client, "nginx:stable")
stable[["image", "instruction", "size_mb", "kind"]]

# %% [markdown]
# ## 2. Layers and metadata steps
# Most steps (`CMD`, `EXPOSE`, `STOPSIGNAL`, `LABEL`) only change the image's configuration and
# add 0 bytes. Only steps that change files (`ADD`, `COPY`, `RUN`) make a **layer**:

# %%
stable["kind"].value_counts()

# %% [markdown]
# The layer-making steps, bottom first, match `RootFS.Layers` one to one:

# %%
stable[stable["kind"] == "layer"][["instruction", "size_mb", "layer"]]

# %% [markdown]
# ## 3. Why older rows say `<missing>`
# Only the newest step has an image ID of its own. The others were intermediate images on the
# machine that built the image; a pull brings the layers and the history, not those intermediate
# images, so their IDs show as `<missing>`:

# %%
bool(stable["image"].eq("<missing>").sum() == len(stable) - 1)

# %% [markdown]
# ## 4. The shared base layer in both histories
# The history of `nginx:latest`:

# %%
latest = history_frame(client, "nginx:latest")
latest[latest["kind"] == "layer"][["instruction", "size_mb", "layer"]]

# %% [markdown]
# The bottom step of both is the same `ADD` of the Debian root filesystem, and it made the same
# layer: that is the layer the two tags share.

# %%
base = {name: frame[frame["kind"] == "layer"].iloc[-1] for name, frame in
        {"nginx:stable": stable, "nginx:latest": latest}.items()}
bool(base["nginx:stable"]["layer"] == base["nginx:latest"]["layer"])

# %% [markdown]
# The layer sizes side by side:

# %%
layer_size_chart({"nginx:stable": stable, "nginx:latest": latest})

# %% [markdown]
# ## 5. Try it yourself
# **Exercise.** Which instruction made the largest layer of `nginx:latest`, and how does it
# differ from `nginx:stable`'s? Look at the `RUN` rows (hint: compare the `instruction` columns
# with `docker history --no-trunc`).

# %%
biggest = latest.loc[latest["size_mb"].idxmax()]
biggest["instruction"].split()[0], biggest["kind"]

# %% [markdown]
# Solution: the Debian base (`ADD`) is the largest layer; after it, each tag's `RUN apt-get
# install` layer, which differ in the packages installed:

# %%
# NBVAL_IGNORE_OUTPUT
!docker history --no-trunc --format '{{{{.Size}}}}\t{{{{.CreatedBy}}}}' nginx:latest | grep apt-get

# %% [markdown]
# (In a `!` command IPython reads `{...}` as Python, so Go templates double their braces.)
#
# ## Clean up
# This lesson only read images, so there is nothing to remove. The clean-up call also lets the next
# notebook use the engine (see the README on running two copies at once):

# %%
len(cleanup(notebook="04"))

# %% [markdown]
# ## Summary
# - `docker history` shows the steps that built an image, newest first, with their sizes.
# - Only `ADD`, `COPY` and `RUN` make layers; the rest are 0-byte metadata steps.
# - Intermediate images do not travel with a pull, hence `<missing>`.
# - The bottom `ADD` step of both nginx tags made the same layer: the shared base.
#
# ## What's next?
# [05 · Running containers and restart policies](05-running-containers-and-restart-policies.ipynb)
#
# ## Resources
# - Docker: [`docker history`](https://docs.docker.com/reference/cli/docker/image/history/)
# - Docker: [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
# - Docker: [Understanding image layers](https://docs.docker.com/get-started/docker-concepts/building-images/understanding-image-layers/)
