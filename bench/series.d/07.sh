# Lesson 07, building and shipping an image: its Docker work as plain shell (sourced by
# bench/series.sh, which defines q, ok, poll, ensure, recording, clean, free_port, answers, L).

# The lab registry's storage, from the configuration the lab wrote (helpers.shipping reads it
# the same way); empty when the lab does not run the registry.
registry_storage() {
  local state=${DOCKER_NOTEBOOKS_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/docker-notebooks}
  local root
  [[ -f $state/registry.yml ]] || return 0
  root=$(sed -n 's/^ *rootdirectory: *//p' "$state/registry.yml")
  [[ -z $root ]] || echo "$root/docker/registry/v2/repositories"
}

# unpush <repository>: helpers.shipping.delete_pushed: every tag's manifest through the
# registry API, then the repository's folder (series' names only), so the catalog is as before.
unpush() {
  local repo=$1 tag digest storage
  [[ $repo == docker-notebooks/* ]] || return 1
  for tag in $(curl -s "$REGISTRY_URL/v2/$repo/tags/list" | grep -o '"tags":\[[^]]*\]' |
    grep -o '"[^"]*"' | grep -v '"tags"' | tr -d '"'); do
    digest=$(curl -sI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
      "$REGISTRY_URL/v2/$repo/manifests/$tag" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
    [[ -z $digest ]] || q curl -s -X DELETE "$REGISTRY_URL/v2/$repo/manifests/$digest"
  done
  storage=$(registry_storage)
  if [[ -n $storage && -d $storage/$repo ]]; then
    rm -rf "${storage:?}/$repo"
    rmdir "$storage/docker-notebooks" 2>/dev/null || true
  fi
}

nb07() {
  CURRENT=07
  local -a N=("${L[@]}" --label tutorial.notebook=07)
  local repo=$REGISTRY_HOST/docker-notebooks/my-site dir port pinned labelled
  # helpers.shipping.check_tags_free: a learner's own my-site keeps its tag.
  if labelled=$(docker image inspect -f '{{index .Config.Labels "tutorial"}}' my-site 2>/dev/null) &&
    [[ $labelled != docker-notebooks ]]; then
    echo "bench/series.sh: an image my-site is here and not the series': left alone" >&2
    return 1
  fi
  unpush docker-notebooks/my-site  # an interrupted run's push
  ensure nginx:stable
  dir=$(mktemp -d)  # the lesson's work-07 folder
  port=$(free_port 8087)
  printf '<h1>Hello from my own image</h1>\n' >"$dir/index.html"
  printf '%s\n' 'FROM nginx:stable' 'COPY index.html /var/www/html/' \
    'LABEL org.opencontainers.image.title="my-site"' >"$dir/Dockerfile"
  recording 07 ok docker build -q "${N[@]}" -t my-site "$dir"
  recording 07 ok docker build -q "${N[@]}" -t my-site "$dir"
  printf '<h1>Hello from my own image, version 2</h1>\n' >"$dir/index.html"
  recording 07 ok docker build -q "${N[@]}" -t my-site "$dir"
  q docker history my-site
  q docker image inspect --format '{{len .RootFS.Layers}}' nginx:stable my-site
  q docker image inspect --format '{{.Size}}' nginx:stable my-site
  echo 'Ideas for the site. Not for the image.' >"$dir/notes.txt"
  echo 'notes.txt' >"$dir/.dockerignore"
  printf '%s\n' 'FROM nginx:stable' 'COPY notes.txt /var/www/html/' >"$dir/Dockerfile.notes"
  recording 07 q docker build -q "${N[@]}" -f "$dir/Dockerfile.notes" "$dir"
  q ls "$dir"
  ok docker tag my-site "$repo"
  q docker image inspect --format '{{.Id}} {{.RepoTags}}' my-site
  ok docker push "$repo"
  q curl -s "$REGISTRY_URL/v2/docker-notebooks/my-site/tags/list"
  pinned=$(docker image inspect --format '{{index .RepoDigests 0}}' "$repo")
  ok docker rmi my-site "$repo"
  ok docker pull "$pinned"
  q docker images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' "$repo"
  ok docker run -d --name my-site -p "127.0.0.1:$port:80" "${N[@]}" "$pinned"
  poll 15 answers "127.0.0.1:$port"
  q curl -s "127.0.0.1:$port"
  # Try it yourself (the hidden solution): version 2 in the registry.
  echo '<h1>My site, version 3</h1>' >"$dir/index.html"
  recording 07 ok docker build -q "${N[@]}" -t my-site "$dir"
  ok docker tag my-site "$repo:v2"
  ok docker push "$repo:v2"
  unpush docker-notebooks/my-site
  rm -rf "$dir"
  clean 07; CURRENT=
}
