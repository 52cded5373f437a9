#!/usr/bin/env bash
# The series' Docker work as a plain shell script: the same commands, in the same order, with
# the same waits (polled, bounded), and the same clean-up by label. bench/ times this against the
# notebooks to measure what the notebooks add (kernels, imports, tables, plots).
#
# Per notebook: every `!` line and `%%bash` cell (hidden exercise solutions included: nbclient
# runs them), with the labels the `!` hook adds to `docker run`/`docker create`, plus what the
# helpers do to the engine: pulls of missing tags (ensure_image), bounded waits (a port, an HTTP
# answer, a restart count), id_twins' containers, the build-cache records a build makes, and
# the clean-up. Helpers that only read (tables, plots, exercise checks) are what the notebooks
# add, so they have no twin here.
set -euo pipefail
# The lab registry's address comes from helpers.registry_api.REGISTRY_URL (python -m bench sets it).
REGISTRY_URL=${REGISTRY_URL:?set REGISTRY_URL, or run this through python -m bench}
REGISTRY_HOST=${REGISTRY_URL#*://}
# Tags the series' ledger already claims (python -m bench passes them): the series pulled them,
# so they may be removed and pulled again, as notebook 02's setup does. Any other tag present
# before this script pulls it is someone else's and stays.
SERIES_PULLS=" ${SERIES_PULLS:-} "

L=(--label tutorial=docker-notebooks)
q() { "$@" >/dev/null 2>&1 || true; }   # run, ignore output and failure (as a lesson shows it)
ok() { "$@" >/dev/null; }                # run, ignore output; a failure stops the script
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
within() {  # within <seconds> <command...>: true once the command succeeds, false when time is up
  local end=$(($(now_us) + $1 * 10 ** 6)); shift
  until "$@" >/dev/null 2>&1; do
    (($(now_us) < end)) || return 1
    sleep 0.1
  done
}
poll() {  # poll <seconds> <command...>: until the command succeeds, bounded (helpers.polling)
  within "$@" || { echo "bench/series.sh: timed out: ${*:2}" >&2; return 1; }
}

# ---------------------------------------------------------------- pulls (helpers.cleanup ledger)
declare -A OURS=()  # tags this series pulled (absent before), so it may remove them
for tag in $SERIES_PULLS; do OURS[$tag]=1; done
present() { docker image inspect "$1" >/dev/null 2>&1; }
pull() {  # pull [flags] <ref>: `docker pull`; a tag that was absent becomes the series'
  local ref=${*: -1}
  [[ $ref == *@* || ${ref##*/} == *:* ]] || ref=$ref:latest
  present "$ref" || OURS[$ref]=1
  q docker pull "$@"
}
ensure() { present "$1" || pull "$1"; }  # helpers.registry.ensure_image
release() {  # release <tag...>: remove the series' own pulls; one a container uses stays
  local ref id
  for ref; do
    [[ -n ${OURS[$ref]:-} ]] || continue
    id=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null) || { unset "OURS[$ref]"; continue; }
    docker rmi "$ref" >/dev/null 2>&1 || continue
    [[ $(docker image inspect -f '{{len .RepoTags}}' "$id" 2>/dev/null) != 0 ]] || q docker rmi "$id"
    unset "OURS[$ref]"
  done
}

# ---------------------------------------------------------------- build cache (helpers.build_cache)
declare -A CACHE=()  # notebook -> the build-cache records its builds made
cache_ids() { docker system df -v --format '{{range .BuildCache}}{{.ID}} {{end}}' | tr ' ' '\n' | sort; }
recording() {  # recording <notebook> <command...>: run it, note the cache records it made
  local before; before=$(cache_ids </dev/null)
  "${@:2}"
  CACHE[$1]+=" $(comm -13 <(echo "$before") <(cache_ids </dev/null) | xargs)"
}
# prune_cache <notebook...>: prune exactly their records, in rounds (a record goes once the newer
# ones built on it have gone); a record still in use stays noted for the next clean-up.
prune_cache() {
  local nb id left still
  for nb; do
    left=$(comm -12 <(tr ' ' '\n' <<<"${CACHE[$nb]:-}" | sort -u) <(cache_ids) | xargs)
    for _ in 1 2 3 4 5; do
      [[ -n $left ]] || break
      for id in $left; do q docker builder prune -af --filter "id=$id"; done
      still=$(comm -12 <(tr ' ' '\n' <<<"$left" | sort -u) <(cache_ids) | xargs)
      [[ $still != "$left" ]] || break
      left=$still
    done
    if [[ -n $left ]]; then CACHE[$nb]=$left; else unset "CACHE[$nb]"; fi
  done
}

# ---------------------------------------------------------------- clean-up (helpers.cleanup)
CURRENT=
clean() {  # clean [notebook]: what that notebook (the whole series with none) labelled
  local -a f=(-f label=tutorial=docker-notebooks)
  [[ -z ${1:-} ]] || f+=(-f "label=tutorial.notebook=$1")
  local ids
  ids=$(docker ps -aq "${f[@]}"); [[ -z $ids ]] || q docker rm -f -v $ids
  ids=$(docker network ls -q "${f[@]}"); [[ -z $ids ]] || q docker network rm $ids
  ids=$(docker volume ls -q "${f[@]}"); [[ -z $ids ]] || q docker volume rm -f $ids
  ids=$(docker images -q "${f[@]}" | sort -u); [[ -z $ids ]] || q docker rmi -f $ids
  if [[ -n ${1:-} ]]; then prune_cache "$1"; else prune_cache "${!CACHE[@]}"; fi
}
MINE=  # my-own-nginx-12, the learner's stand-in, while this script has it
finish() {  # on any exit: what the running notebook made, and pulls no ledger records
  local rc=$?
  [[ -z $CURRENT ]] || clean "$CURRENT"
  [[ -z $MINE ]] || q docker rm -f my-own-nginx-12
  for tag in "${!OURS[@]}"; do [[ $SERIES_PULLS == *" $tag "* ]] || release "$tag"; done
  exit $rc
}
trap finish EXIT

# ---------------------------------------------------------------- waits the helpers make
listening() { docker exec "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2"; }  # wait_listening
answers() { curl -s -m 1 -o /dev/null "$1"; }                               # wait_http
restarts() { docker inspect -f '{{.RestartCount}}' "$1"; }
restarted_over() { (($(restarts "$1") > $2)); }
down_for() {  # down_for <name> <s>: exited, and for longer than that (restarts.quiet_seconds)
  local state finished
  read -r state finished < <(docker inspect -f '{{.State.Status}} {{.State.FinishedAt}}' "$1")
  [[ $state == exited ]] && (($(date +%s%N) - $(date -d "$finished" +%s%N) > $2 * 10 ** 9))
}
restarting() {  # restarting <name> <n>: in the delay before a restart, after at least n
  local state count
  read -r state count < <(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$1")
  [[ $state == restarting ]] && ((count >= $2))
}
came_back() { [[ $(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$1") != "exited $2" ]]; }
exited() { [[ $(docker inspect -f '{{.State.Status}}' "$1") == exited ]]; }
free_port() { local p=$1; while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done; echo $p; }

nb01() {
  CURRENT=01
  local -a N=("${L[@]}" --label tutorial.notebook=01)
  ensure nginx:stable
  q docker version
  ok docker run -d --name dn-01-web "${N[@]}" nginx:stable
  export CONTAINERD_ADDRESS=/run/containerd/containerd.sock  # as runtime.CONTAINERD_SOCKETS
  [[ ! -e /var/run/docker/containerd/containerd.sock ]] ||
    CONTAINERD_ADDRESS=/var/run/docker/containerd/containerd.sock
  q ctr -n moby containers list
  q ctr -n moby containers list "id==$(docker inspect --format '{{.Id}}' dn-01-web)"
  ok docker run -d --name dn-01-pod "${N[@]}" nginx:stable sleep infinity
  ok docker run -d --name dn-01-pod-nginx --network container:dn-01-pod "${N[@]}" nginx:stable
  poll 15 listening dn-01-pod-nginx 80
  q docker run --rm --network container:dn-01-pod "${N[@]}" nginx:stable bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; grep -o "<title>.*</title>" <&3'
  q docker exec dn-01-pod readlink /proc/self/ns/net
  q docker exec dn-01-pod-nginx readlink /proc/self/ns/net
  q docker exec dn-01-web readlink /proc/self/ns/net
  ok docker run -d --name dn-01-pod-shell --network container:dn-01-pod "${N[@]}" \
    nginx:stable sleep infinity
  clean 01; CURRENT=
}

nb02() {
  CURRENT=02
  local -a N=("${L[@]}" --label tutorial.notebook=02)
  release nginx:stable nginx:latest debian:trixie-slim
  q docker search nginx
  q curl -s "$REGISTRY_URL/v2/_catalog"
  q curl -s "$REGISTRY_URL/v2/library/nginx/tags/list"
  pull nginx:stable
  pull nginx
  q docker buildx imagetools inspect --raw "$REGISTRY_HOST/library/nginx:stable"
  q docker images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}' nginx
  q docker run --rm "${N[@]}" nginx:stable nginx -v
  q docker run --rm "${N[@]}" nginx:latest nginx -v
  q docker inspect --format '{{index .Config.Labels "org.opencontainers.image.description"}}' nginx:stable
  q docker images --digests --format '{{.Repository}}:{{.Tag}}  {{.Digest}}' nginx
  q docker buildx imagetools inspect "$REGISTRY_HOST/library/nginx:stable"
  pull "$(docker image inspect -f '{{index .RepoDigests 0}}' nginx:stable)"
  pull debian:trixie-slim
  clean 02; CURRENT=
}

nb03() {
  CURRENT=03
  ensure nginx:stable
  ensure nginx:latest
  local claimed=; present debian:trixie-slim || claimed=1  # claim_pulls(..., notebook="03")
  q docker images nginx --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}'
  q docker image inspect --format '{{json .RootFS.Layers}}' nginx:stable nginx:latest
  q grep -E '^(REPOSITORY|nginx) ' < <(docker system df -v)
  pull -q debian:trixie-slim
  q docker image inspect --format '{{json .RootFS.Layers}}' debian:trixie-slim
  clean 03; CURRENT=
  [[ -z $claimed ]] || release debian:trixie-slim
}

nb04() {
  CURRENT=04
  ensure nginx:stable
  ensure nginx:latest
  q docker history nginx:stable
  q grep '^RUN' < <(docker history --no-trunc --format '{{.CreatedBy}}' nginx:stable)
  recording 04 ok docker build -q -t dn-04-hello - <<'EOF'
FROM nginx:stable
LABEL tutorial=docker-notebooks tutorial.notebook=04
RUN echo 'hello from 04' > /var/www/html/hello.txt
EOF
  q docker history dn-04-hello
  q docker image inspect --format 'parent={{.Parent}}' dn-04-hello
  q docker images --all --filter label=tutorial.notebook=04 --format 'table {{.Repository}}\t{{.Tag}}'
  q docker history nginx:latest
  q docker image inspect --format '{{index .Config.Labels "org.opencontainers.image.description"}}' \
    nginx:stable nginx:latest
  recording 04 ok docker build -q -t dn-04-mine - <<'EOF'
FROM nginx:latest
LABEL tutorial=docker-notebooks tutorial.notebook=04
RUN echo 'my own page' > /var/www/html/mine.html
EOF
  q docker history dn-04-mine
  clean 04; CURRENT=
}

nb05() {
  CURRENT=05
  local -a N=("${L[@]}" --label tutorial.notebook=05)
  ensure nginx:latest
  ensure nginx:stable
  ok docker run -d --restart always "${N[@]}" nginx
  q docker ps
  local id; id=$(docker ps -q --no-trunc -l -f label=tutorial.notebook=05)
  q docker ps -f "id=${id:0:12}"
  # id_twins: create (never start) containers until two IDs start alike; keep those two.
  local -A made=(); local twin first
  while :; do
    twin=$(docker create "${N[@]}" nginx:stable true)
    first=${twin:0:1}
    [[ -z ${made[$first]:-} ]] || break
    made[$first]=$twin
  done
  local other=${made[$first]}; unset "made[$first]"
  ((${#made[@]} == 0)) || q docker rm -f "${made[@]}"
  ok docker rename "$other" twin-a
  ok docker rename "$twin" twin-b
  q docker ps -a -f "id=$first" --format 'table {{.ID}}\t{{.Names}}'
  q docker ps -a -f "id=${id:20:12}" --format 'table {{.ID}}\t{{.Names}}'
  ok docker run -d --restart always --name nginx-web "${N[@]}" nginx
  ok docker run -d --restart always --name nginx-web2 "${N[@]}" nginx
  q docker ps -f name=nginx-web --format '{{.Names}}'
  q docker ps -f 'name=^nginx-web$' --format '{{.Names}}'
  ok docker run -d --restart no --name fails-no "${N[@]}" nginx sh -c 'sleep 1; exit 1'
  ok docker run -d --restart on-failure:2 --name fails-on-failure "${N[@]}" nginx sh -c 'sleep 1; exit 1'
  ok docker run -d --restart always --name fails-always "${N[@]}" nginx sh -c 'sleep 1; exit 1'
  ok docker run -d --restart unless-stopped --name fails-unless-stopped "${N[@]}" nginx \
    sh -c 'sleep 1; exit 1'
  # watch_restarts(beyond=2): each stays down (exited 1 s and more) or restarts a third time.
  poll 30 down_for fails-no 1
  poll 30 down_for fails-on-failure 1
  poll 30 restarted_over fails-always 2
  poll 30 restarted_over fails-unless-stopped 2
  local always unless
  always=$(restarts fails-always); unless=$(restarts fails-unless-stopped)
  poll 30 restarting fails-always 3
  q docker ps -a -f name=fails-always
  within 15 restarted_over fails-always "$always" || true  # still_rising: one more restart each
  within 15 restarted_over fails-unless-stopped "$unless" || true
  q docker stop nginx-web
  q docker ps -a -f 'name=^nginx-web$'
  within 1 came_back nginx-web "$(restarts nginx-web)" || true  # stays_down: a second's watch
  q docker run --rm --restart always "${N[@]}" nginx
  ok docker run -d --restart on-failure:3 --name try-on-failure "${N[@]}" nginx sh -c 'exit 1'
  poll 20 exited try-on-failure
  q docker inspect --format '{{.RestartCount}}' try-on-failure
  clean 05; CURRENT=
}

nb06() {
  CURRENT=06
  local -a N=("${L[@]}" --label tutorial.notebook=06)
  ensure nginx:latest
  local port; port=$(free_port 8080)
  ok docker run -d --name nginx-exposed --restart always "${N[@]}" nginx
  poll 15 listening nginx-exposed 80
  q curl -sS 127.0.0.1
  q docker inspect --format '{{.NetworkSettings.IPAddress}}' nginx-exposed
  q grep Welcome < <(curl -s "$(docker inspect --format '{{.NetworkSettings.IPAddress}}' nginx-exposed)")
  ok docker rm -f nginx-exposed
  ok docker run -d -p "127.0.0.1:$port:80" --name nginx-exposed --restart always "${N[@]}" nginx
  q docker ps -f name=nginx-exposed
  poll 15 answers "127.0.0.1:$port"
  q grep Welcome < <(curl -s "127.0.0.1:$port")
  q docker port nginx-exposed
  ok docker run -d -p 80 --name dn-06-everywhere "${N[@]}" nginx
  q docker port dn-06-everywhere
  local host_ip picked
  host_ip=$(hostname -I | cut -d' ' -f1)
  picked=$(docker port dn-06-everywhere 80/tcp | head -n 1 | cut -d: -f2)
  q curl -sS "$host_ip:$port"
  q grep Welcome < <(curl -s "$host_ip:$picked")
  ok docker rm -f dn-06-everywhere
  ok docker run -d -p 127.0.0.1:8090:80 --name my-nginx "${N[@]}" nginx
  poll 15 answers 127.0.0.1:8090
  q grep '<h1>' < <(curl -s 127.0.0.1:8090)
  clean 06; CURRENT=
}

nb12() {
  CURRENT=12
  local -a N=("${L[@]}" --label tutorial.notebook=12)
  ensure nginx:stable
  ok docker run -d --name web-12 "${N[@]}" nginx:stable
  ok docker run --name once-12 "${N[@]}" nginx:stable echo done
  q docker inspect --format '{{index .Config.Labels "tutorial"}} {{index .Config.Labels "tutorial.notebook"}}' web-12
  if docker container inspect my-own-nginx-12 >/dev/null 2>&1; then
    echo "bench/series.sh: a container my-own-nginx-12 is here and not this script's: left alone" >&2
    return 1
  fi
  MINE=1
  { docker start my-own-nginx-12 2>/dev/null || docker run -d --name my-own-nginx-12 nginx:stable; } >/dev/null
  q docker ps -a --filter label=tutorial=docker-notebooks
  q docker rm -f $(docker ps -aq --filter label=tutorial=docker-notebooks)
  q wc -l < <(docker ps -aq --filter label=tutorial=docker-notebooks)
  q docker ps --filter 'name=^my-own-nginx-12$' --format '{{.Names}}: {{.Status}}'
  clean  # cleanup(): everything the series labelled, its build cache and its pulls
  release "${!OURS[@]}"
  ok docker rm -f my-own-nginx-12; MINE=
  ok docker run -d --name web-12 "${N[@]}" nginx:stable
  ok docker run --name once-12 "${N[@]}" nginx:stable echo done
  q docker ps -q --filter label=tutorial=docker-notebooks --filter status=exited
  clean 12; CURRENT=
}

# Lessons 07-11 (build, data, Compose, Swarm, Pod) keep their twins one file each.
for part in "$(dirname "${BASH_SOURCE[0]}")"/series.d/*.sh; do
  [[ -e $part ]] && source "$part"
done

for n in "${@:-01 02 03 04 05 06 07 08 09 10 11 12}"; do
  for one in $n; do "nb$one"; done
done
