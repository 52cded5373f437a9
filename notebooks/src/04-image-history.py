# %% [markdown]
# # 04 · Image history
#
# Read an image's recipe back out of it: which instruction made each layer, and how big it is.
#
# ## Overview
# 1. `docker history`
# 2. Layers and metadata steps
# 3. Why rows say `<missing>`
# 4. Two tags, one base: `docker history nginx:latest`
# 5. What is particular to this lab's images
# 6. Try it yourself
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
# Check the engine and make sure both nginx tags are here (pulled quietly when they are not).

# %%
from helpers.cleanup import cleanup
from helpers.history import check_own_build, history_frame
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
# `docker history` lists the steps that made an image, newest first: one row per instruction of
# the Dockerfiles it was built from (its base image's included, `FROM` lines excepted), with the
# bytes that step added:

# %%
!docker history nginx:stable

# %% [markdown]
# The columns: IMAGE is the image a step produced, when this engine has it (section 3);
# CREATED BY is the instruction, cut at 45 characters; SIZE is what the step added; COMMENT
# `buildkit.dockerfile.v0` says BuildKit built the image from a Dockerfile.
#
# Read it from the bottom up. `ADD rootfs.tar /` and `CMD ["bash"]` are the steps of the base
# image, `debian:trixie-slim`: a Debian root filesystem and a default command. The rest is
# nginx:stable's own Dockerfile: `ARG` and `ENV NGINX_VERSION` pin the nginx version, one `RUN`
# installs it, then `EXPOSE`, `STOPSIGNAL` and `CMD` set how a container of it runs.
#
# `--no-trunc` prints an instruction in full. BuildKit writes a `RUN` step as
# `RUN |N NAME=value ... /bin/sh -c <command>`: the N build arguments the command saw, then the
# command itself:

# %%
!docker history --no-trunc --format '{{.CreatedBy}}' nginx:stable | grep '^RUN'

# %% [markdown]
# ## 2. Layers and metadata steps
# The `history_frame` helper reads the same history through the Docker SDK, one row per step,
# and marks each step as `layer` (it added bytes) or `metadata` (0 bytes):

# %%
stable = history_frame(client, "nginx:stable")
stable[["image", "instruction", "size_mb", "kind"]]

# %% [markdown]
# `ARG`, `ENV`, `EXPOSE`, `STOPSIGNAL` and `CMD` only change the image's configuration and add
# 0 bytes. Steps that change files (`ADD`, `COPY`, `RUN`) make the layers; in this image those
# are the `ADD` and the `RUN`:

# %%
stable["kind"].value_counts()

# %% [markdown]
# The layer-making steps, bottom first, match `RootFS.Layers` one to one (`layer` is the short
# diff ID from 03):

# %%
stable[stable["kind"] == "layer"].iloc[::-1][["instruction", "size_mb", "layer"]]

# %% [markdown]
# ## 3. Why rows say `<missing>`
# Only the top row has an image ID. IMAGE names the image a step produced, if that image is in
# this engine's image store; `<missing>` means it is not. A pull brings an image's layers and its
# history, but no image for each step, so a pulled image shows `<missing>` on every row but the
# top one.
#
# It is not only a matter of pulling. BuildKit, the builder these images were made with (and
# `docker build`'s default), never keeps an image per step, not even on the machine that runs
# the build. Build a small image here, on top of `nginx:stable`, and look. Its `LABEL` line puts
# the series' label on it, so the clean-up at the end finds it. (The setup cell removes what this
# notebook built: if you re-run it, run this cell again before the ones below.)

# %%
%%bash
docker build -q -t dn-04-hello - <<'EOF'
FROM nginx:stable
LABEL tutorial=docker-notebooks tutorial.notebook=04
RUN echo 'hello from 04' > /var/www/html/hello.txt
EOF

# %% [markdown]
# (`-q` prints only the new image's ID; the Dockerfile comes from standard input, `-`.) Its
# history: the two steps built a moment ago on this very engine show `<missing>` too, and so
# does the row of `nginx:stable`'s last step, although `nginx:stable` is right here:

# %%
!docker history dn-04-hello

# %% [markdown]
# `docker history` finds a step's image by following each image's *parent*, and a BuildKit
# image records none:

# %%
!docker image inspect --format 'parent={{.Parent}}' dn-04-hello

# %% [markdown]
# Nor is there an untagged image per step: `docker images --all` lists intermediate images too,
# and the series' label finds only the one built above:

# %%
!docker images --all --filter label=tutorial.notebook=04 --format 'table {{.Repository}}\t{{.Tag}}'

# %% [markdown]
# The legacy builder (`DOCKER_BUILDKIT=0`, deprecated since Docker 23.0) did keep an image per
# step, on the build machine only: there its own rows had IDs, everywhere else they were
# `<missing>`. That is where the older explanation "`<missing>` rows are intermediate images on
# the build machine" comes from; it no longer holds for images BuildKit built.
#
# ## 4. Two tags, one base
# The history of `nginx:latest`:

# %%
!docker history nginx:latest

# %% [markdown]
# The two bottom rows are the same `ADD` and `CMD` as in `nginx:stable`: both tags are built on
# the same base. The `ADD` made the same layer in both; that is the layer 03 found they share:

# %%
latest = history_frame(client, "nginx:latest")
base = {name: frame[frame["kind"] == "layer"].iloc[-1]["layer"]
        for name, frame in {"nginx:stable": stable, "nginx:latest": latest}.items()}  # fmt: skip
base["nginx:stable"] == base["nginx:latest"]

# %% [markdown]
# The layer sizes side by side:

# %%
layer_size_chart({"nginx:stable": stable, "nginx:latest": latest})

# %% [markdown]
# ## 5. What is particular to this lab's images
# The two tags have the same steps; they differ in the nginx version, the `RUN` that installs
# it, and the size of its layer, and the largest layer of both is the Debian base's `ADD`. Those
# are facts of **this lab's images**, built for this series, as their labels say, not of nginx
# in general:

# %%
!docker image inspect --format '{{index .Config.Labels "org.opencontainers.image.description"}}' nginx:stable nginx:latest

# %% [markdown]
# In the lab, `stable` is the nginx of Debian 13 ("trixie"), version 1.26, and `latest` the
# newest nginx Debian packages, version 1.30, from its next release ("forky"):

# %%
versions = {tag: client.images.get(tag).labels["org.opencontainers.image.version"] for tag in TAGS}
versions["nginx:stable"].startswith("1.26."), versions["nginx:latest"].startswith("1.30.")

# %% [markdown]
# and the step that made each tag's largest layer:

# %%
{name: frame.loc[frame["size_mb"].idxmax(), "instruction"].split()[0]
 for name, frame in {"nginx:stable": stable, "nginx:latest": latest}.items()}  # fmt: skip

# %% [markdown]
# On Docker Hub, the official `nginx` image follows nginx's two release branches. **mainline**
# gets new features and fixes first; **stable** gets only important fixes. The tag `mainline`
# is the newest mainline release and `latest` points to the same image; the tag `stable` is the
# newest stable release (see the tag list on the image's Docker Hub page). The official images
# are built from [nginx's own Dockerfiles](https://github.com/nginx/docker-nginx): their
# histories have more steps than ours (the source notes' output shows four `COPY` rows for the
# entrypoint scripts) and other sizes.
#
# ## 6. Try it yourself
# **Exercise.** Build an image named `dn-04-mine` from `nginx:latest` with one step of your own
# that adds a file, and keep the line `LABEL tutorial=docker-notebooks tutorial.notebook=04` so
# the clean-up removes it. Then read its history: which rows have an image ID, and which step
# made its new layer?

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
%%bash
docker build -q -t dn-04-mine - <<'EOF'
FROM nginx:latest
LABEL tutorial=docker-notebooks tutorial.notebook=04
RUN echo 'my own page' > /var/www/html/mine.html
EOF
docker history dn-04-mine

# %% [markdown]
# Check your image:

# %%
print(check_own_build(client, "dn-04-mine", base="nginx:latest"))

# %% [markdown]
# ## Clean up
# The clean-up removes the images this notebook built (`dn-04-hello`, `dn-04-mine`) and lets the
# next notebook use the engine:

# %%
sorted(cleanup(notebook="04")["name"])

# %% [markdown]
# ## Summary
# - `docker history` shows the steps that built an image, newest first, with the bytes each
#   added; `--no-trunc` prints each instruction in full.
# - Steps that change files (`ADD`, `COPY`, `RUN`) make layers; `ARG`, `ENV`, `EXPOSE`,
#   `STOPSIGNAL` and `CMD` are 0-byte configuration steps.
# - `<missing>` means the step's image is not in this engine's store: a pull brings none, and
#   BuildKit never makes them, even on the machine that builds. (The legacy builder kept them
#   on the build machine.)
# - The bottom steps of both nginx tags are the same base, and made the same layer.
# - Which tag has which nginx, and which layer is largest, are facts of the lab's images; on
#   Docker Hub `latest` is the newest mainline nginx and `stable` the newest stable one.
#
# ## What's next?
# [05 · Running containers and restart policies](05-running-containers-and-restart-policies.ipynb)
#
# ## Resources
# - Docker: [`docker history`](https://docs.docker.com/reference/cli/docker/image/history/)
# - Docker: [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
# - Docker: [Understanding image layers](https://docs.docker.com/get-started/docker-concepts/building-images/understanding-image-layers/)
# - Docker: [BuildKit](https://docs.docker.com/build/buildkit/) and the [legacy builder's deprecation](https://docs.docker.com/engine/deprecated/#legacy-builder-for-linux-images)
# - Docker Hub: [the official `nginx` image and its tags](https://hub.docker.com/_/nginx)
# - nginx: [mainline and stable versions](https://nginx.org/en/download.html)
