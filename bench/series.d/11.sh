# shellcheck shell=bash
# Lesson 11 (a real Pod with Podman): its Podman work as plain shell, sourced by bench/series.sh.
# helpers.pods.setup_podman writes the series' registries.conf (and containers.conf where the
# machine's open-files limit is below Podman's 1048576) and exports their paths; the `!` hook
# adds the labels to `podman pod create`/`run` and annotations to `podman kube play`; the
# clean-up removes the lesson's Pods and containers by either (the nginx image stays in Podman's
# store, as the lessons' pulls stay in Docker's).

P11_IMAGE=docker.io/library/nginx:stable

podman_clean() {  # podman_clean <notebook>: helpers.pods.remove_leftovers
  local nb=$1 ids id
  command -v podman >/dev/null || return 0
  ids=$(podman pod ps -q --filter label=tutorial=docker-notebooks --filter "label=tutorial.notebook=$nb")
  for id in $(podman ps -aq --no-trunc); do
    [[ $(podman inspect -f '{{index .Config.Annotations "tutorial.notebook"}}' "$id") == "$nb" ]] &&
      ids+=" $(podman inspect -f '{{.Pod}}' "$id")"
  done
  ids=$(xargs -n1 <<<"$ids" | sort -u | xargs)
  [[ -z $ids ]] || q podman pod rm -f -t 0 $ids
  ids=$(podman ps -aq --filter label=tutorial=docker-notebooks --filter "label=tutorial.notebook=$nb")
  [[ -z $ids ]] || q podman rm -f -t 0 $ids
}

nb11() {
  CURRENT=11
  local -a N=("${L[@]}" --label tutorial.notebook=11)
  local -a A=(--annotation tutorial=docker-notebooks --annotation tutorial.notebook=11)
  local state=${DOCKER_NOTEBOOKS_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/docker-notebooks}
  local work=$state/bench-work-11 port=8095 exercise
  podman_clean 11
  mkdir -p "$state/podman" "$work"
  printf '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n\n[[registry.mirror]]\nlocation = "%s"\ninsecure = true\n' \
    "$REGISTRY_HOST" >"$state/podman/registries.conf"
  export CONTAINERS_REGISTRIES_CONF=$state/podman/registries.conf
  if (($(ulimit -Hn) < 1048576)); then
    printf '[containers]\ndefault_ulimits = []\n' >"$state/podman/containers.conf"
    export CONTAINERS_CONF=$state/podman/containers.conf
  fi
  port=$(free_port 8095)
  q podman --version
  q podman pull "$P11_IMAGE"
  ok podman pod create "${N[@]}" --name dn-11-pod -p "127.0.0.1:$port:80"
  q podman pod ps --filter name=dn-11-pod
  q podman ps -a --pod --filter pod=dn-11-pod
  ok podman run -d "${N[@]}" --pod dn-11-pod --name dn-11-web "$P11_IMAGE"
  poll 15 answers "http://127.0.0.1:$port"
  q podman ps --pod --filter pod=dn-11-pod
  q podman inspect dn-11-web --format '{{.HostConfig.NetworkMode}}'
  q podman run --rm "${N[@]}" --pod dn-11-pod "$P11_IMAGE" bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; grep -o "<title>.*</title>" <&3'
  podman generate kube dn-11-pod >"$work/dn-11-pod.yaml" 2>/dev/null
  q cat "$work/dn-11-pod.yaml"
  ok podman pod rm -f dn-11-pod
  q podman pod exists dn-11-pod
  ok podman kube play "${A[@]}" "$work/dn-11-pod.yaml"
  q podman ps --pod --filter pod=dn-11-pod --format '{{.Names}}'
  poll 15 answers "http://127.0.0.1:$port"
  q curl -s "127.0.0.1:$port"
  exercise=$(free_port 8096)
  ok podman pod create "${N[@]}" --name dn-11-exercise -p "127.0.0.1:$exercise:80"
  ok podman run -d "${N[@]}" --pod dn-11-exercise --name dn-11-exercise-web "$P11_IMAGE"
  poll 15 answers "http://127.0.0.1:$exercise"
  podman generate kube dn-11-exercise >"$work/dn-11-exercise.yaml" 2>/dev/null
  podman_clean 11
  rm -rf "$work"
  clean 11; CURRENT=
}
