# shellcheck shell=bash
# Lesson 08 (inside a running container, and keeping data): its Docker work as plain shell,
# sourced by bench/series.sh (which defines q, ok, poll, ensure, clean, free_port, L, CURRENT).
# The lesson's work-08 folder is a temporary folder here, removed at the end.

nb08() {
  CURRENT=08
  local -a N=("${L[@]}" --label tutorial.notebook=08)
  ensure nginx:stable
  local port work since
  port=$(free_port 8088)
  work=$(mktemp -d)
  # 1. docker logs
  ok docker run -d --name web-08 -p "127.0.0.1:$port:80" "${N[@]}" nginx:stable
  poll 15 listening web-08 80
  q grep Welcome < <(curl -s "127.0.0.1:$port")
  q docker logs web-08
  q curl -s -o /dev/null "127.0.0.1:$port/before"
  sleep 1
  since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
  q curl -s -o /dev/null "127.0.0.1:$port/after"
  q docker logs --since "$since" web-08
  (sleep 1; curl -s -o /dev/null "127.0.0.1:$port/while-following") &
  q timeout 3 docker logs -f --tail 0 web-08
  wait
  # 2. docker exec
  q docker exec web-08 readlink /var/log/nginx/access.log /var/log/nginx/error.log
  q grep -m1 root < <(docker exec web-08 nginx -T 2>/dev/null)
  q docker exec web-08 ls /var/www/html
  ok docker exec web-08 sed -i 's/Welcome to nginx!/Changed inside the container/' \
    /var/www/html/index.nginx-debian.html
  q grep Changed < <(curl -s "127.0.0.1:$port")
  q grep html < <(docker diff web-08)
  q docker run --rm "${N[@]}" nginx:stable grep '<h1>' /var/www/html/index.nginx-debian.html
  # 3. a read-only bind mount
  mkdir -p "$work/site"
  echo '<h1>Served from the host</h1>' > "$work/site/index.html"
  q cat "$work/site/index.html"
  ok docker rm -f web-08
  ok docker run -d --name web-08 -p "127.0.0.1:$port:80" -v "$work/site":/var/www/html:ro \
    "${N[@]}" nginx:stable
  poll 15 listening web-08 80
  q curl -s "127.0.0.1:$port"
  echo '<h1>About</h1>' > "$work/site/about.html"
  q curl -s "127.0.0.1:$port/about.html"
  q docker exec web-08 sh -c 'echo "<h1>Changed inside</h1>" > /var/www/html/index.html'
  q docker inspect --format '{{json .Mounts}}' web-08
  q docker run --rm --mount "type=bind,source=$work/stie,target=/var/www/html,readonly" \
    "${N[@]}" nginx:stable ls /var/www/html
  q wc -l < <(docker run --rm -v "$work/stie":/var/www/html:ro "${N[@]}" nginx:stable \
    ls -A /var/www/html)
  q ls "$work"
  q rmdir "$work/stie"
  # 4. a named volume
  ok docker volume create "${N[@]}" data-08
  q docker volume ls --filter label=tutorial.notebook=08
  ok docker run --name writer-08 -v data-08:/data "${N[@]}" nginx:stable \
    sh -c 'echo "written by writer-08" > /data/note.txt'
  ok docker rm writer-08
  q docker run --rm -v data-08:/data:ro "${N[@]}" nginx:stable cat /data/note.txt
  q docker volume inspect data-08
  # 5. the lesson's volumes, by label
  q docker volume rm $(docker volume ls -q --filter label=tutorial.notebook=08)
  # 6. the exercise's solution
  ok docker volume create "${N[@]}" pages-08
  ok docker run --rm -v pages-08:/site "${N[@]}" nginx:stable \
    sh -c 'echo "<h1>From a volume</h1>" > /site/index.html'
  ok docker run -d --name my-web-08 -p 127.0.0.1:8098:80 -v pages-08:/var/www/html:ro \
    "${N[@]}" nginx:stable
  poll 15 answers 127.0.0.1:8098
  q curl -s 127.0.0.1:8098
  clean 08; CURRENT=
  rm -rf "$work"
}
