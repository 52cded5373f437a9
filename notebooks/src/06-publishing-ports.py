# %% [markdown]
# # 06 · Publishing ports
#
# A container's port cannot be reached from the host until it is published. Publish one, reach
# nginx with `curl`, and see why binding to 127.0.0.1 is the safer habit.
#
# ## Overview
# 1. Unreachable until published
# 2. Containers are immutable: run a new one with `-p`
# 3. `docker port` and where a port listens
# 4. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [05 · Running containers](05-running-containers-and-restart-policies.ipynb) | Necessary | `docker run -d`, `docker ps -f` |
# | Ports and `curl` | Helpful | a server listens on a port; `curl` asks it for a page |
#
# **Time to learn:** 15 minutes
#
# ## Setup
# The lesson publishes on host port 8080; when another program already uses it, `free_port` says
# so and picks the next free one.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port, ps_frame
from helpers.http import http_get, wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image

lab = setup_notebook("06")
client = lab.client
_ = ensure_image("nginx:latest", client=client)
PORT = free_port(8080)

# %% [markdown]
# ## 1. Unreachable until published
# Start nginx with no published port. It listens on port 80, but inside the container's own
# network namespace:

# %%
!docker run -d --restart always --name dn-06-hidden --label tutorial=docker-notebooks --label tutorial.notebook=06 nginx

# %% [markdown]
# On the host, nothing answers on port 80. `curl` says the connection was refused:

# %%
!curl -sS 127.0.0.1

# %% [markdown]
# The same as data, the way the helpers check it:

# %%
http_get("http://127.0.0.1:80")

# %% [markdown]
# ## 2. Containers are immutable: run a new one
# A container's published ports are fixed when it is created. Instead of changing
# `dn-06-hidden`, treat it as immutable infrastructure: run a new container with `-p
# <host port>:<container port>`. Here the host side is `127.0.0.1:8080`, so only this machine can
# reach it (more on that below):

# %%
!docker run -d -p 127.0.0.1:{PORT}:80 --name dn-06-exposed --restart always --label tutorial=docker-notebooks --label tutorial.notebook=06 nginx

# %% [markdown]
# `docker ps -f name=` shows the mapping in the PORTS column:

# %%
ps_frame(client, filters={"name": "dn-06-exposed"})[["name", "state", "ports"]]

# %% [markdown]
# Now the host reaches nginx (the helper waits, bounded, until nginx answers):

# %%
wait_http(f"http://127.0.0.1:{PORT}")

# %%
!curl -sS 127.0.0.1:{PORT} | head -n 4

# %% [markdown]
# "Welcome to nginx!": the request went to host port 8080 and the engine forwarded it to port 80
# of the container.
#
# ## 3. `docker port` and where a port listens
# `docker port` lists a container's published ports:

# %%
!docker port dn-06-exposed

# %% [markdown]
# Written as `-p 8080:80`, with no address, a port is published on **every** interface of the
# host: anyone on the same network (a café, a workshop Wi-Fi) can reach it, and Docker's own
# firewall rules let them through even when the host's firewall looks closed. `-p
# 127.0.0.1:8080:80` keeps it to this machine. A container published the short way, for
# comparison:

# %%
!docker run -d -p 80 --name dn-06-everywhere --label tutorial=docker-notebooks --label tutorial.notebook=06 nginx

# %% [markdown]
# `-p 80` with no host port lets the engine choose one; the address is `0.0.0.0`, all interfaces:

# %%
everywhere = client.containers.get("dn-06-everywhere")
sorted({b["HostIp"] for b in everywhere.ports["80/tcp"]})

# %% [markdown]
# Remove it again right away:

# %%
!docker rm -f dn-06-everywhere

# %% [markdown]
# ## 4. Try it yourself
# **Exercise.** Publish a second nginx, `dn-06-second`, on host port `PORT + 1` (bound to
# 127.0.0.1) and check that it answers with the nginx welcome page.

# %%
second_port = free_port(PORT + 1)
!docker run -d -p 127.0.0.1:{second_port}:80 --name dn-06-second --label tutorial=docker-notebooks --label tutorial.notebook=06 nginx

# %% [markdown]
# Check:

# %%
wait_http(f"http://127.0.0.1:{second_port}").title

# %% [markdown]
# ## Clean up

# %%
cleanup(notebook="06")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - A container's port is reachable from the host only when published with `-p`.
# - Published ports are fixed at creation: run a new container rather than changing one.
# - `-p 8080:80` listens on every interface; `-p 127.0.0.1:8080:80` keeps it local.
# - `docker port` and `docker ps` show the mappings.
#
# ## What's next?
# [07 · Cleaning up and what's next](07-cleaning-up-and-whats-next.ipynb)
#
# ## Resources
# - Docker: [Port publishing and mapping](https://docs.docker.com/engine/network/port-publishing/)
# - Docker: [`docker port`](https://docs.docker.com/reference/cli/docker/container/port/)
# - Docker: [Packet filtering and firewalls](https://docs.docker.com/engine/network/packet-filtering-firewalls/)
