# %% [markdown]
# # 06 · Publishing ports
#
# Reach nginx in a container from the host: first at the container's own address, then, once its
# port is published with `-p`, at the host's own address; and see why `-p 127.0.0.1:...` is the
# safer habit.
#
# ## Overview
# 1. A container with no published port
# 2. Containers are immutable: run a new one with `-p`
# 3. `docker port`: where a published port listens
# 4. `-p 80`: the engine picks the host port
# 5. Try it yourself
#
# ## Prerequisites
# | Concept | Importance | Notes |
# | --- | --- | --- |
# | [05 · Running containers](05-running-containers-and-restart-policies.ipynb) | Necessary | `docker run -d --restart`, `docker ps -f name=` |
# | Ports and `curl` | Helpful | a server listens on a port; `curl` asks it for a page |
#
# **Time to learn:** 15 minutes
#
# ## Setup
# The lesson runs `nginx` (the tag `nginx:latest`; the setup fetches it when it is missing) and
# publishes it on host port 8080. When another program already uses 8080, `free_port` says so in
# one sentence and the lesson uses the next free port. As in every lesson, `setup_notebook` adds
# the series' labels to each `docker run` line, so the last cell removes exactly what this
# notebook made.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port
from helpers.http import check_published_on_loopback, wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.runtime import wait_listening
from helpers.setups import bridge_ip_answers, bridge_unreached

lab = setup_notebook("06")
client = lab.client
_ = ensure_image("nginx:latest", client=client)
PORT = free_port(8080, notebook="06", client=client)

# %% [markdown]
# ## 1. A container with no published port
# Start nginx the way the source notes do, in the background and restarted always, named
# `nginx-exposed`, with no `-p`:

# %%
!docker run -d --name nginx-exposed --restart always nginx

# %% [markdown]
# nginx takes a moment to start. This helper waits (bounded) until something listens on port 80
# inside the container, so that what follows is not a race:

# %%
wait_listening(client.containers.get("nginx-exposed"), 80)

# %% [markdown]
# Now ask the host's own loopback address, 127.0.0.1, on port 80 (curl's default), and print
# curl's exit code:

# %%
!curl -sS 127.0.0.1; echo "curl exit code: $?"

# %% [markdown]
# curl gives up with exit code 7, "Couldn't connect to server": on the host's address 127.0.0.1
# nothing accepts connections on port 80, although nginx listens on port 80 in its container.
#
# The container has an address of its own, on Docker's default bridge network. `docker inspect`
# reads it from the container's settings:

# %%
!docker inspect --format '{{.NetworkSettings.IPAddress}}' nginx-exposed

# %% [markdown]
# On a Linux host, that address answers from the host, with no `-p` at all (`$(...)` puts the
# address into the curl command). Not on every set-up: on Docker Desktop (Mac, Windows) the engine
# and its bridge network run inside a virtual machine, and rootless Docker keeps them in a network
# namespace of its own, so there the bridge address does not answer from the host. A rootless
# engine even reuses the addresses root's engine gives out, so a reply could come from somebody
# else's container. So the cell first asks a probe container of its own, serving a random token,
# whether this machine reaches the engine's bridge addresses. Where it does not, the cell says so
# and asks from where the address does answer: a container on the same network.

# %%
if bridge_ip_answers(client, "nginx:latest"):
    !curl -s $(docker inspect --format '{{.NetworkSettings.IPAddress}}' nginx-exposed) | grep Welcome
else:
    print(bridge_unreached(lab.kind))
    !docker run --rm nginx bash -c "exec 3<>/dev/tcp/$(docker inspect --format '{{.NetworkSettings.IPAddress}}' nginx-exposed)/80; printf 'GET / HTTP/1.0\r\n\r\n' >&3; grep Welcome <&3"

# %% [markdown]
# Two addresses, two answers: the container's bridge address answers on port 80 from this Linux
# host; the host's own address 127.0.0.1 does not. Publishing a port with `-p` is what makes a
# container answer on the host's own addresses, as the next sections show; on Docker Desktop and
# rootless Docker it is the only way in from the host.
#
# ## 2. Containers are immutable: run a new one with `-p`
# Published ports are set when a container is created: `docker update` changes a container's
# resources and restart policy, but has no option to publish a port. So treat the container as
# immutable infrastructure: remove it, and run a new one with `-p`.

# %%
!docker rm -f nginx-exposed

# %% [markdown]
# `-p 127.0.0.1:8080:80` reads *host address*:*host port*:*container port*: connections to port
# 8080 on the host's address 127.0.0.1 are forwarded to port 80 in the container. (`{PORT}` is the
# lesson's Python variable, 8080 unless that port was taken; in a terminal you type the number.)

# %%
!docker run -d -p 127.0.0.1:{PORT}:80 --name nginx-exposed --restart always nginx

# %% [markdown]
# `docker ps -f name=nginx-exposed` shows the mapping in its PORTS column:

# %%
!docker ps -f name=nginx-exposed

# %% [markdown]
# The helper waits (bounded) until the published port answers:

# %%
wait_http(f"http://127.0.0.1:{PORT}")

# %% [markdown]
# and curl, on the host's address 127.0.0.1 and the published port, gets the nginx welcome page:

# %%
!curl -s 127.0.0.1:{PORT} | grep Welcome

# %% [markdown]
# ## 3. `docker port`: where a published port listens
# `docker port` lists a container's published ports, each as *container port* -> *host
# address*:*host port*:

# %%
!docker port nginx-exposed

# %% [markdown]
# 127.0.0.1 is the loopback address: only programs on this machine connect to it. Written without
# an address, as `-p 8080:80`, a port is published on every interface of the host (`0.0.0.0` for
# IPv4, `[::]` for IPv6): any machine that can reach this host reaches nginx, and on Linux Docker's
# own firewall rules let those connections in even where a host firewall such as ufw looks closed.
# So bind to 127.0.0.1 unless other machines need the port: it is the safer habit on a shared
# network (a café, a workshop Wi-Fi).
#
# One caveat on Engine 26.1, the engine this lesson ran on: a machine on the same local network
# segment (the same switch) can still reach a port published on 127.0.0.1 by sending hand-made
# packets; Engine 28.0 closes that hole
# ([moby/moby#45610](https://github.com/moby/moby/issues/45610)).
#
# ## 4. `-p 80`: the engine picks the host port
# `-p 80` names only the container port. It is not a short form of `-p 8080:80`: the engine picks
# a free host port itself, and, with no address given, publishes it on every interface. Try it
# on a second nginx:

# %%
!docker run -d -p 80 --name dn-06-everywhere nginx

# %% [markdown]
# `docker port` shows which host ports the engine picked: one on `0.0.0.0` (IPv4) and one on
# `[::]` (IPv6). They often have the same number, but Engine 26.1 picks each on its own, so they
# may differ by one or more. They come from the range this machine keeps for ephemeral ports
# (`/proc/sys/net/ipv4/ip_local_port_range`), so they are neither 80 nor 8080:

# %%
!docker port dn-06-everywhere

# %% [markdown]
# The difference between the two shows at the host's network address, the one other machines use
# (the first address `hostname -I` lists stands in for them here). The port published on
# 127.0.0.1 does not answer there; the port published on every interface does. (`$1` is the
# lesson's port; `2>&1` shows curl's error message in the output.)

# %%
%%bash -s {PORT}
host_ip=$(hostname -I | cut -d' ' -f1)
picked=$(docker port dn-06-everywhere 80/tcp | head -n 1 | cut -d: -f2)
curl -sS "$host_ip:$1" 2>&1
curl -s "$host_ip:$picked" | grep Welcome

# %% [markdown]
# Remove the container published on every interface right away:

# %%
!docker rm -f dn-06-everywhere

# %% [markdown]
# ## 5. Try it yourself
# **Exercise.** Run a second nginx of your own, named as you like, published on 127.0.0.1 with a
# host port of your choice (not the lesson's port, which `nginx-exposed` holds), and `curl` it for
# the welcome page. Then run the check below: it asks every running container that publishes
# port 80 (except `nginx-exposed`) for its page.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
MY_PORT = free_port(8090, notebook="06", client=client)
!docker run -d -p 127.0.0.1:{MY_PORT}:80 --name my-nginx nginx
_ = wait_http(f"http://127.0.0.1:{MY_PORT}")
!curl -s 127.0.0.1:{MY_PORT} | grep '<h1>'

# %% [markdown]
# Check:

# %%
print(check_published_on_loopback(client, exclude="nginx-exposed"))

# %% [markdown]
# ## Clean up
# Remove what this notebook made (selected by its label) and let the next notebook use the
# engine:

# %%
cleanup(notebook="06")["kind"].value_counts()

# %% [markdown]
# ## Summary
# - On a Linux host, a container's bridge address answers from the host without `-p`; the host's
#   own addresses (127.0.0.1, its network address) answer only on a published port.
# - Published ports are fixed when a container is created: remove it and run a new one with `-p`.
# - `-p 127.0.0.1:8080:80` is *host address*:*host port*:*container port*. Without an address
#   (`-p 8080:80`, `-p 80`) the port listens on every interface; `127.0.0.1` keeps it to this
#   machine, the safer habit.
# - `-p 80` is not `-p 8080:80`: the engine picks the host port, and `docker port` shows which.
# - `docker ps` (PORTS column) and `docker port` show a container's mappings.
#
# ## What's next?
# [07 · Building and shipping your own image](07-building-and-shipping-images.ipynb): write a
# Dockerfile, build your own page into an image, push it to a registry and run it from there.
#
# ## Resources
# - Docker: [Port publishing and mapping](https://docs.docker.com/engine/network/port-publishing/)
# - Docker: [`docker port`](https://docs.docker.com/reference/cli/docker/container/port/) and
#   [`docker update`](https://docs.docker.com/reference/cli/docker/container/update/)
# - Docker: [Packet filtering and firewalls](https://docs.docker.com/engine/network/packet-filtering-firewalls/)
# - Docker Desktop: [Networking](https://docs.docker.com/desktop/features/networking/)
#   (no route from the host to a container's address)
# - Docker: [Rootless mode](https://docs.docker.com/engine/security/rootless/) (the container's
#   address lives in RootlessKit's network namespace)
# - moby/moby#45610: [ports published on 127.0.0.1 reachable from the same network segment](https://github.com/moby/moby/issues/45610)
