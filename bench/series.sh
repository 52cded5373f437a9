#!/usr/bin/env bash
# The series' Docker work as a plain shell script: the same commands, in the same order, with
# the same waits (polled, bounded), and the same clean-up by label. bench/ times this against the
# notebooks to measure what the notebooks add (kernels, imports, tables, plots).
set -euo pipefail
# The lab registry's address comes from helpers.registry_api.REGISTRY_URL (python -m bench sets it).
REGISTRY_URL=${REGISTRY_URL:?set REGISTRY_URL, or run this through python -m bench}

L=(--label tutorial=docker-notebooks)
q() { "$@" >/dev/null 2>&1 || true; }   # run, ignore output and failure (as a lesson shows it)
poll() {  # poll <seconds> <command...>: until the command succeeds, bounded
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || { echo "bench/series.sh: timed out: $*" >&2; exit 1; }
    sleep 0.1
  done
}
clean() {  # clean <notebook>: remove what that notebook labelled
  local ids; ids=$(docker ps -aq -f "label=tutorial.notebook=$1")
  [[ -z $ids ]] || q docker rm -f $ids
  local nets; nets=$(docker network ls -q -f "label=tutorial.notebook=$1")
  [[ -z $nets ]] || q docker network rm $nets
}
listening() { docker exec "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2"; }
restarts() { docker inspect -f '{{.RestartCount}}' "$1"; }
state() { docker inspect -f '{{.State.Status}}' "$1"; }
free_port() { local p=$1; while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done; echo $p; }

nb01() {
  docker image inspect nginx:stable >/dev/null 2>&1 || q docker pull nginx:stable
  q docker version --format '{{range .Server.Components}}{{.Name}} {{.Version}}{{"\n"}}{{end}}'
  q docker run -d --name dn-01-web "${L[@]}" --label tutorial.notebook=01 nginx:stable
  q ctr --address /var/run/docker/containerd/containerd.sock -n moby containers list -q
  q docker run -d --name dn-01-pod "${L[@]}" --label tutorial.notebook=01 nginx:stable sleep infinity
  q docker run -d --name dn-01-pod-nginx --network container:dn-01-pod "${L[@]}" \
    --label tutorial.notebook=01 nginx:stable
  poll 15 listening dn-01-pod-nginx 80
  q docker run --rm --network container:dn-01-pod nginx:stable bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; grep -o "<title>.*</title>" <&3'
  for c in dn-01-pod dn-01-pod-nginx dn-01-web; do q docker exec $c readlink /proc/self/ns/net; done
  q docker run -d --name dn-01-pod-shell --network container:dn-01-pod "${L[@]}" \
    --label tutorial.notebook=01 nginx:stable sleep infinity
  q docker exec dn-01-pod-shell readlink /proc/self/ns/net
  clean 01
}

nb02() {
  q docker rmi nginx:stable nginx:latest debian:trixie-slim
  q docker search nginx
  q curl -sf "$REGISTRY_URL/v2/_catalog"
  q curl -sf "$REGISTRY_URL/v2/library/nginx/tags/list"
  q docker pull nginx:stable
  q docker pull nginx
  q docker images --digests --format '{{.Repository}}:{{.Tag}}  {{.Digest}}' nginx
  local digest; digest=$(docker image inspect -f '{{index .RepoDigests 0}}' nginx:stable)
  q docker pull "$digest"
  q docker pull debian:trixie-slim
  q docker image inspect -f '{{.RootFS.Layers}}' debian:trixie-slim nginx:stable nginx:latest
}

nb03() {
  q docker images nginx --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}'
  for t in nginx:stable nginx:latest; do
    q docker image inspect -f '{{.RootFS.Layers}}' $t
    q docker history --no-trunc $t
  done
  q docker system df -v
  q docker history --no-trunc debian:trixie-slim
}

nb04() {
  q docker history nginx:stable
  q docker history --no-trunc nginx:stable
  q docker history --no-trunc nginx:latest
  q docker history --no-trunc --format '{{.Size}}\t{{.CreatedBy}}' nginx:latest
}

nb05() {
  q docker run -d --restart always --name dn-05-web "${L[@]}" --label tutorial.notebook=05 nginx
  q docker ps -f name=dn-05-web --format '{{.Names}}  {{.Image}}  {{.Ports}}'
  local id; id=$(docker inspect -f '{{.Id}}' dn-05-web)
  q docker ps -f "id=${id:0:6}" --format '{{.Names}}'
  q docker ps -a -f name=dn-05-web
  for p in no on-failure:2 always unless-stopped; do
    q docker run -d --restart $p --name "dn-05-${p/:/-}-exit1" "${L[@]}" \
      --label tutorial.notebook=05 nginx:stable sh -c 'sleep 1; exit 1'
  done
  poll 60 bash -c '[[ $(docker inspect -f "{{.State.Status}}" dn-05-no-exit1) == exited ]]'
  poll 60 bash -c '[[ $(docker inspect -f "{{.RestartCount}} {{.State.Status}}" dn-05-on-failure-2-exit1) == "2 exited" ]]'
  poll 60 bash -c '(( $(docker inspect -f "{{.RestartCount}}" dn-05-always-exit1) >= 2 ))'
  poll 60 bash -c '(( $(docker inspect -f "{{.RestartCount}}" dn-05-unless-stopped-exit1) >= 2 ))'
  q docker run -d --restart on-failure --name dn-05-on-failure-exit0 "${L[@]}" \
    --label tutorial.notebook=05 nginx:stable sh -c 'sleep 1; exit 0'
  poll 60 bash -c '[[ $(docker inspect -f "{{.State.Status}}" dn-05-on-failure-exit0) == exited ]]'
  q docker stop dn-05-always-exit1
  sleep 3  # the lesson watches three seconds for a restart that must not come
  q restarts dn-05-always-exit1
  q docker run --rm --restart always nginx true
  q docker run -d --restart on-failure:3 --name dn-05-on-failure-3-exit1 "${L[@]}" \
    --label tutorial.notebook=05 nginx:stable sh -c 'sleep 1; exit 1'
  poll 60 bash -c '[[ $(docker inspect -f "{{.RestartCount}} {{.State.Status}}" dn-05-on-failure-3-exit1) == "3 exited" ]]'
  clean 05
}

nb06() {
  docker image inspect nginx:latest >/dev/null 2>&1 || q docker pull nginx:latest
  local port; port=$(free_port 8080)
  q docker run -d --restart always --name dn-06-hidden "${L[@]}" --label tutorial.notebook=06 nginx
  q curl -sS 127.0.0.1
  q docker run -d -p 127.0.0.1:$port:80 --name dn-06-exposed --restart always "${L[@]}" \
    --label tutorial.notebook=06 nginx
  q docker ps -f name=dn-06-exposed
  poll 15 curl -sf 127.0.0.1:$port
  q curl -sS 127.0.0.1:$port
  q docker port dn-06-exposed
  q docker run -d -p 80 --name dn-06-everywhere "${L[@]}" --label tutorial.notebook=06 nginx
  q docker inspect -f '{{json .NetworkSettings.Ports}}' dn-06-everywhere
  q docker rm -f dn-06-everywhere
  local second; second=$(free_port $((port + 1)))
  q docker run -d -p 127.0.0.1:$second:80 --name dn-06-second "${L[@]}" \
    --label tutorial.notebook=06 nginx
  poll 15 curl -sf 127.0.0.1:$second
  clean 06
}

nb07() {
  docker image inspect nginx:stable >/dev/null 2>&1 || q docker pull nginx:stable
  q docker run -d --name dn-07-web "${L[@]}" --label tutorial.notebook=07 nginx:stable
  q docker ps -a -f label=tutorial=docker-notebooks --format '{{.Names}}'
  q docker run -d --name my-own-nginx-07 nginx:stable
  clean 07
  q docker ps -f name=my-own-nginx-07
  q docker rm -f my-own-nginx-07
  q docker rmi nginx:stable nginx:latest debian:trixie-slim
  q docker network create "${L[@]}" --label tutorial.notebook=07 dn-07-net
  clean 07
}

for n in "${@:-01 02 03 04 05 06 07}"; do
  for one in $n; do "nb$one"; done
done
