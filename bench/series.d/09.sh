# shellcheck shell=bash
# Lesson 09 (several containers with Compose): its Docker work as plain shell, sourced by
# bench/series.sh (which defines q, ok, poll, ensure, recording, clean, free_port, CURRENT).
# The lesson's work-09 folder is a temporary folder here, holding the very files the lesson's
# %%writefile cells write (read from its source), removed at the end. compose.yaml labels what
# Compose makes, so `clean 09` finds it as the lesson's clean-up does.

NB09_SOURCE="$(dirname "${BASH_SOURCE[0]}")/../../notebooks/src/09-compose.py"

nb09_files() {  # nb09_files <folder>: write the lesson's %%writefile cells there
  mkdir -p "$1/app"
  awk -v dir="$1" '
    /^# %%/ { out = ""; next }
    /^%%writefile work-09\// { out = dir "/" substr($2, 9); printf "" > out; next }
    out != "" { print >> out }
  ' "$NB09_SOURCE"
}

nb09_healthy() {  # nb09_healthy <n>: n app containers, all healthy (helpers.compose.wait_healthy)
  local states
  states=$(docker ps -q --filter label=com.docker.compose.project=dn-09-hello \
    --filter label=com.docker.compose.service=app | xargs -r docker inspect \
    --format '{{.State.Health.Status}}')
  [[ $(grep -c . <<<"$states") == "$1" && $(grep -vc '^healthy$' <<<"$states") == 0 ]]
}

nb09_replies() {  # nb09_replies <url> <n>: n different replies seen (helpers.compose.replies_seen)
  local seen="" end=$(($(now_us) + 15 * 10 ** 6))
  while (($(now_us) < end)); do
    seen=$({ printf '%s\n' "$seen"; curl -s -m 2 "$1" || true; } | sed '/^$/d' | sort -u)
    (($(grep -c . <<<"$seen") >= $2)) && return 0
  done
  echo "bench/series.sh: timed out: $2 different replies from $1" >&2
  return 1
}

nb09() {
  CURRENT=09
  ensure nginx:stable
  local port work busy squatter
  port=$(free_port 8089)
  work=$(mktemp -d)
  nb09_files "$work"
  echo "PROXY_PORT=$port" > "$work/.env"
  dc() { (cd "$work" && docker compose "$@"); }
  # 4. build, up, ps, curl
  recording 09 q dc build
  q dc up -d
  poll 60 nb09_healthy 1
  poll 15 answers "127.0.0.1:$port"
  q dc ps
  q curl -s "127.0.0.1:$port"
  # 5. logs and exec
  q dc logs --tail 1 app
  q dc exec proxy getent hosts app proxy
  # 6. the restart policy
  q docker inspect --format '{{.HostConfig.RestartPolicy.Name}} init={{.HostConfig.Init}}' \
    dn-09-hello-app-1
  q dc exec app sh -c 'kill 1'
  poll 30 eval '[[ $(docker inspect -f "{{.RestartCount}} {{.State.Status}}" dn-09-hello-app-1) == "1 running" ]]'
  # 7. two replicas
  q dc up -d --scale app=2
  poll 60 nb09_healthy 2
  q dc ps app
  q dc exec proxy getent hosts app
  nb09_replies "127.0.0.1:$port" 2
  q sort -u < <(for i in $(seq 20); do curl -s "127.0.0.1:$port"; done)
  # 8. the port taken
  python3 -c 'import socket, time; s = socket.create_server(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True); time.sleep(60)' > "$work/busy" &
  squatter=$!
  poll 5 test -s "$work/busy"
  busy=$(cat "$work/busy")
  (cd "$work" && PROXY_PORT=$busy q docker compose up -d)
  q dc ps -a
  kill "$squatter"; wait "$squatter" 2>/dev/null || true
  q dc up -d
  # 9. down and down -v
  q dc exec app sort -u /data/visits.log
  q dc down
  q docker volume ls --filter label=com.docker.compose.project=dn-09-hello
  q dc down -v
  q docker volume ls --filter label=com.docker.compose.project=dn-09-hello
  # 10. the exercise's solution
  (cd "$work" && PROXY_PORT=8189 q docker compose up -d --scale app=3)
  nb09_replies 127.0.0.1:8189 3
  clean 09; CURRENT=
  rm -rf "$work"
}
