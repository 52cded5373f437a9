# Lesson 10, Swarm: its Docker work as plain shell (sourced by bench/series.sh, which defines q,
# ok, poll, ensure, clean, free_port, answers, listening, L).

swarm_state() { docker info --format '{{.Swarm.LocalNodeState}}'; }
# running <service> <n> [pending]: n tasks running (and that many pending), no update under way,
# no scaled-down task still going (helpers.swarm.wait_tasks)
running() {
  local rows up pend update
  update=$(docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$1")
  [[ $update != updating && $update != rollback_started ]] || return 1
  rows=$(docker service ps --format '{{.DesiredState}} {{.CurrentState}}' "$1")
  ! grep -q '^Remove' <<<"$rows" || return 1
  up=$(grep -c '^Running Running' <<<"$rows" || true)
  pend=$(grep -c '^Running Pending' <<<"$rows" || true)
  ((up == $2 && pend == ${3:-0}))
}
failed_and_running() { running "$1" "$2" && docker service ps "$1" | grep -q Failed; }
updated() { [[ $(docker service inspect -f '{{.UpdateStatus.State}}' "$1") == *completed ]]; }
# every running task's container listens on the port (helpers.runtime.wait_listening)
tasks_listen() {
  local c
  for c in $(docker ps -q --filter "label=com.docker.swarm.service.name=$1"); do
    listening "$c" "$2" || return 1
  done
}
# the containers of removed services are gone (helpers.swarm.leave_needed's wait)
orphans_gone() {
  local ids c
  ids=" $(docker service ls -q --no-trunc | xargs) "
  for c in $(docker ps -aq --filter label=com.docker.swarm.service.id); do
    [[ $ids == *" $(docker inspect -f '{{index .Config.Labels "com.docker.swarm.service.id"}}' "$c") "* ]] || return 1
  done
}

nb10() {
  CURRENT=10
  local -a N=("${L[@]}" --label tutorial.notebook=10)
  local -a S=("${N[@]}" --container-label tutorial=docker-notebooks --container-label tutorial.notebook=10)
  ensure nginx:stable
  ensure nginx:latest
  # The swarm part runs in a subshell whose exit leaves the swarm it made (and the
  # docker_gwbridge network its init made), whether it ends well or not (helpers.swarm).
  (
    local made= gwbridge_before= host_port mesh_port
    [[ -z $(docker network ls -q --filter name='^docker_gwbridge$') ]] || gwbridge_before=1
    leave10() {
      if [[ -n $made ]]; then
        within 30 orphans_gone || true
        q docker swarm leave --force
        [[ -n $gwbridge_before ]] || q docker network rm docker_gwbridge
      fi
    }
    trap leave10 EXIT
    host_port=$(free_port 8100)
    mesh_port=$(free_port 8101); [[ $mesh_port != "$host_port" ]] || mesh_port=$(free_port $((host_port + 1)))
    q docker info --format '{{.Swarm.LocalNodeState}}'
    if [[ $(swarm_state) == inactive ]]; then
      made=1
      ok docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377
    fi
    q docker node ls
    q grep -E ':(2377|7946) ' < <(ss -Hltn)
    ok docker service create --detach --name dn-10-web --replicas 3 "${S[@]}" nginx:stable
    poll 60 running dn-10-web 3
    q docker service ls --filter name=dn-10-web
    q docker service ps dn-10-web
    q docker ps --filter label=com.docker.swarm.service.name=dn-10-web --format '{{.Names}}'
    q docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' dn-10-web
    ok docker service scale --detach dn-10-web=5
    poll 60 running dn-10-web 5
    ok docker service scale --detach dn-10-web=3
    poll 60 running dn-10-web 3
    q docker service ps dn-10-web
    ok docker service update --detach --image nginx:latest --update-parallelism 1 --update-delay 1s dn-10-web
    poll 120 updated dn-10-web
    q docker service ps dn-10-web
    ok docker service rollback --detach dn-10-web
    poll 120 updated dn-10-web
    q docker service ps --filter desired-state=running dn-10-web
    q docker inspect --format '{{.HostConfig.RestartPolicy.Name}}' "$(docker ps -q --filter name=dn-10-web.1)"
    q docker service inspect --format '{{json .Spec.TaskTemplate.RestartPolicy}}' dn-10-web
    ok docker kill "$(docker ps -q --filter name=dn-10-web.1)"
    poll 60 failed_and_running dn-10-web 3
    q docker service ps --filter name=dn-10-web.1 dn-10-web
    ok docker service rm dn-10-web
    ok docker network create "${N[@]}" --driver overlay --attachable dn-10-net
    ok docker service create --detach --name dn-10-dns --replicas 3 --network dn-10-net \
      --endpoint-mode dnsrr "${S[@]}" nginx:stable
    poll 60 running dn-10-dns 3
    poll 15 tasks_listen dn-10-dns 80
    q docker run --rm "${N[@]}" --network dn-10-net nginx:stable getent hosts dn-10-dns
    q docker run --rm "${N[@]}" --network dn-10-net nginx:stable bash -c \
      'for ip in $(getent hosts dn-10-dns | cut -d" " -f1); do exec 3<>/dev/tcp/$ip/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; echo "$ip $(grep -o "<title>.*</title>" <&3)"; done'
    ok docker service create --detach --name dn-10-host "${S[@]}" \
      --publish "mode=host,target=80,published=$host_port" nginx:stable
    poll 60 running dn-10-host 1
    poll 15 tasks_listen dn-10-host 80
    q grep Welcome < <(curl -s "127.0.0.1:$host_port")
    ok docker service scale --detach dn-10-host=2
    poll 60 running dn-10-host 1 1
    q docker service ps dn-10-host
    q docker port "$(docker ps -q --filter name=dn-10-host)"
    q docker service create --detach --name dn-10-local "${S[@]}" -p "127.0.0.1:$mesh_port:80" nginx:stable
    ok docker service rm dn-10-host
    q ls /proc/sys/net/ipv4/vs
    ok docker service create --detach --name dn-10-mesh "${S[@]}" -p "$mesh_port:80" nginx:stable
    poll 60 running dn-10-mesh 1
    poll 15 tasks_listen dn-10-mesh 80
    q docker service ls --filter name=dn-10-mesh
    q curl -sS -m 5 -o /dev/null "127.0.0.1:$mesh_port"
    ok docker service rm dn-10-mesh
    ok docker service create --detach --name my-site --replicas 2 --network dn-10-net \
      --endpoint-mode dnsrr "${S[@]}" nginx:latest
    poll 60 running my-site 2
    poll 15 tasks_listen my-site 80
    q docker run --rm "${N[@]}" --network dn-10-net nginx:stable getent hosts my-site
    if [[ -z $made ]]; then  # a swarm that was there before: only what the lesson labelled goes
      local ids
      ids=$(docker service ls -q --filter label=tutorial.notebook=10)
      [[ -z $ids ]] || q docker service rm $ids
    fi
  )
  clean 10; CURRENT=
}
