# %% [markdown] en="f8b7137bec"
# # 02 · 검색과 내려받기
#
# 이미지(image)를 찾아 레이어(layer)별로 내려받고(pull), 두 번째 태그(tag)가 첫 번째 태그가 이미
# 가져온 것을 다시 쓰는 것을 확인합니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. 검색: `docker search`, 그리고 프라이빗 레지스트리(registry)가 대신 제공하는 것
# 2. 내려받기: `docker pull`, 레이어, "Already exists"
# 3. 태그: stable, mainline, latest
# 4. 다이제스트(digest)
# 5. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [01 · 컨테이너, 파드, containerd](01-containers-pods-and-containerd.ipynb) | 도움 됨 | 이미지가 무엇이 되는지 |
# | 레지스트리(Docker Hub) | 도움 됨 | 이미지를 보관하는 곳 |
#
# **학습 시간:** 25분
#
# ## 준비
# 엔진(engine)을 확인하고, 이 시리즈(series)를 앞서 실행할 때 내려받은 이미지 태그를 지워서 이
# 레슨(lesson)의 내려받기가 실제로 다운로드하게 합니다. 여러분이 직접 내려받은 태그는 절대 지우지
# 않습니다. `nginx:stable`이 이미 있었다면, 아래의 내려받기는 대신 "Image is up to date"라고
# 말합니다. 레슨 도중에 다시 실행하면, 이 셀은 이 레슨이 그때까지 내려받은 것을 남겨 둡니다.

# %%
from helpers.cleanup import claim_pulls, cleanup, release_pulls
from helpers.layers import check_base_layer_shared
from helpers.notebook import setup_notebook
from helpers.registry import search

lab = setup_notebook("02", language="ko")
client = lab.client
TAGS = ["nginx:stable", "nginx:latest", "debian:trixie-slim"]
if not lab.rerun:
    _ = release_pulls("series", client=client, refs=TAGS)
_ = claim_pulls(TAGS, notebook="series", client=client)

# %% [markdown] en="9640cd62a2"
# ## 1. 검색
# `docker search`는 Docker Hub에, 오직 Docker Hub에만 묻습니다. 이 실습 환경(lab)에는 인터넷이
# 없으므로 검색은 실패하고, 엔진의 메시지가 그 이유를 알려 줍니다. Docker Hub의 검색
# 엔드포인트(endpoint)에 닿을 수 없었다는 것입니다(이 노트북(notebook)을 검사할 때는 주소 뒤의
# 네트워크 세부 사항을 가립니다).

# %%
!docker search nginx

# %% [markdown] en="19dd1a98ab"
# 프라이빗 레지스트리에는 검색 엔드포인트가 없습니다. 대신 Registry HTTP API v2로 대화합니다.
# `GET /v2/_catalog`는 레지스트리의 저장소(repository) 목록을 보여 줍니다. 이 실습 환경의
# 레지스트리(엔진의 Docker Hub 미러(mirror), 포트 5000)가 응답합니다.

# %%
!curl -s http://127.0.0.1:5000/v2/_catalog

# %% [markdown] en="f5f53fd768"
# 그리고 `GET /v2/<name>/tags/list`는 저장소 하나의 태그 목록을 보여 줍니다.

# %%
!curl -s http://127.0.0.1:5000/v2/library/nginx/tags/list

# %% [markdown] en="05a83b016d"
# `search` 헬퍼(helper)는 둘 다 합니다. `docker search`처럼 엔진을 통해 Docker Hub에 묻고, 안 되면
# 실습 환경 레지스트리의 카탈로그로 넘어가며, 누가 응답했는지 알려 줍니다. 실습 환경의 이미지는
# Docker의 공식 이미지가 아니라 실습 환경에서 빌드한 것이므로 `official`은 False입니다.
# 설명(description)은 그렇다고 밝히는 이미지 자체의 라벨(label)입니다.

# %%
search("nginx", client=client)[["name", "official", "tags", "source"]]

# %% [markdown] en="3d5df11d48"
# ## 2. 내려받기
# `docker pull`은 이미지를 내려받습니다. 이름에 레지스트리가 없으면 Docker Hub의 `library/`
# 네임스페이스(namespace)에서 가져오며, 여기서는 실습 환경의 미러를 거칩니다. ID가 붙은 줄은
# **레이어**에 관한 것이고, 레이어마다 이런 줄이 여러 개 나옵니다. `Pulling fs layer`, 경우에 따라
# `Waiting`, `Verifying Checksum`, `Download complete`, 그리고 압축을 풀고 나면
# `Pull complete`입니다. 다운로드는 병렬로 진행되므로 이 줄들의 순서는 내려받을 때마다 바뀝니다.
# 이 노트북을 검사할 때는 `Pull complete`와 `Already exists` 줄(레이어마다 하나)과 요약 줄만
# 비교합니다.

# %%
!docker pull nginx:stable

# %% [markdown] en="c1b84ff3fd"
# ID가 두 개이니 레이어도 두 개입니다. Debian 베이스(base)와, nginx를 설치한 레이어입니다. 이제
# 태그 없이 `nginx`를 내려받습니다. 태그가 없으면 `nginx:latest`라는 뜻입니다.

# %%
!docker pull nginx

# %% [markdown] en="8d702c6f98"
# 첫 번째 레이어는 **Already exists**라고 합니다. 이 레이어는 아무것도 내려받지 않았습니다. 이
# 실습 환경에서는 두 nginx 태그 모두 같은 `debian:trixie-slim` 베이스에서 `FROM`으로
# 빌드되었으므로 정확히 그 레이어를 공유하고, 엔진은 `nginx:stable`에서 이미 그 레이어를 받아
# 두었습니다. (두 태그는 같은 베이스 위에 빌드되었을 때만 레이어를 공유합니다. 그로써 얼마나
# 아끼는지는 노트북 03에서 측정합니다.) `Status: Downloaded newer image`는 그 태그가 이 머신에
# 새로 왔다는 뜻입니다.
#
# 내려받을 때 보이는 ID는 이미지 **매니페스트(manifest)**, 곧 레지스트리가 가진 이미지의 레이어
# 목록에 있는 각 레이어 다이제스트의 앞 16진수 12자리입니다. 레지스트리는 레이어를 압축해
# 보관하고, 각 레이어의 `size`는 압축된 바이트 수입니다. 내려받을 때 다운로드하는 것이 이것이고,
# 터미널의 진행 막대가 세는 것도 이것입니다(이 노트북을 검사할 때는 바이트 수를 가립니다).

# %%
!docker buildx imagetools inspect --raw 127.0.0.1:5000/library/nginx:stable

# %% [markdown] en="d3fdf28598"
# `docker images`는 각 이미지가 디스크에서 압축이 풀린 크기를 보여 주며, 이는 압축된 레이어보다
# 큽니다(이 노트북을 검사할 때는 크기를 가립니다).

# %%
!docker images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}' nginx

# %% [markdown] en="fd349adaf0"
# ## 3. 태그: stable, mainline, latest
# **태그**(`stable`, `latest`, `1.26`)는 게시자가 언제든 새 이미지로 옮길 수 있는 이름입니다.
# Debian의 `trixie-slim`처럼, 태그가 한 OS나 CPU용 이미지를 가리킬 수도 있습니다. [Docker Hub의
# nginx 페이지](https://hub.docker.com/_/nginx)에서 `mainline`은 nginx의 mainline 브랜치(새 기능,
# 1.27 같은 홀수 마이너 버전)를 따르고, `latest`는 `mainline`과 같은 이미지이며, `stable`은 stable
# 브랜치(1.26 같은 짝수 마이너 버전, 수정만)를 따릅니다. 두 브랜치는 [nginx.org의 다운로드
# 페이지](https://nginx.org/en/download.html)를 보세요.
#
# 이 실습 환경의 태그는 자체 빌드입니다. 이미지에 어떤 nginx가 들어 있는지 물어봅니다.
# `nginx:stable`은 Debian 13의 nginx입니다.

# %%
!docker run --rm nginx:stable nginx -v

# %% [markdown] en="543dcf6df4"
# 그리고 `nginx:latest`는 Debian이 패키징한 가장 새로운 nginx(Debian의 다음 릴리스에서 가져온
# 것)입니다.

# %%
!docker run --rm nginx:latest nginx -v

# %% [markdown] en="9507b4f1e0"
# 이미지는 누가 빌드했는지 라벨에 적어 둡니다. 이 이미지들은 Docker의 공식 이미지가 아닙니다.

# %%
!docker inspect --format '{{index .Config.Labels "org.opencontainers.image.description"}}' nginx:stable

# %% [markdown] en="5b22f85da3"
# ## 4. 다이제스트
# **다이제스트**는 매니페스트의 SHA-256입니다. 엔진은 내려받은 다이제스트를 기록하고,
# `docker images --digests`는 그것을 태그 옆에 보여 줍니다.

# %%
!docker images --digests --format '{{.Repository}}:{{.Tag}}  {{.Digest}}' nginx

# %% [markdown] en="fd7a03d8c6"
# 다이제스트가 무엇을 가리키는지는 레지스트리에 따라 다릅니다. 이 실습 환경의 레지스트리에
# `nginx:stable`이 무엇인지 물어봅니다.

# %%
!docker buildx imagetools inspect 127.0.0.1:5000/library/nginx:stable

# %% [markdown] en="494be59310"
# 여기서는 다이제스트가 한 플랫폼용 이미지 매니페스트 하나(`manifest.v2+json`)를 가리킵니다.
# Docker Hub에서는 `nginx:stable`이 **인덱스(index)**(`application/vnd.oci.image.index.v1+json`)를
# 가리킵니다. 인덱스는 플랫폼(amd64, arm64, ...)마다 하나씩 있는 매니페스트의 목록이고, 엔진이
# 기록하는 저장소 다이제스트(repo digest)는 인덱스의 다이제스트입니다. 플랫폼마다 그 이미지에는
# 자기 다이제스트가 따로 있습니다([멀티 플랫폼
# 이미지](https://docs.docker.com/build/building/multi-platform/)). 어느 쪽이든 다이제스트는 절대
# 옮겨지지 않습니다. 다이제스트로 내려받으면 태그가 오늘 무엇을 가리키든 정확히 그 내용을
# 받습니다. 엔진은 다이제스트를 이미지의 `RepoDigests`에 보관합니다.

# %%
digest_ref = client.images.get("nginx:stable").attrs["RepoDigests"][0]
digest_ref

# %%
!docker pull {digest_ref}

# %% [markdown] en="14c3a6f33f"
# "Image is up to date": 그 다이제스트가 가리키는 내용이 이미 여기 있으므로 아무것도 오가지
# 않았습니다. 배포 파일이 태그 대신 다이제스트를 고정하는 이유가 이것입니다.
#
# ## 5. 직접 해 보기
# **연습 문제.** 실습 환경의 nginx 이미지가 빌드된 베이스인 `debian:trixie-slim`을 내려받으세요.
# 실행하기 전에, 내려받기가 이 이미지의 유일한 레이어에 대해 무엇이라고 말할지 예상해 보세요. 빈
# 셀에 명령을 써서 실행한 다음, 확인 셀을 실행하세요.

# %%

# %% [markdown] en="80bdaf022e"
# 풀이(solution)는 숨겨져 있습니다. 클릭하면 보입니다.

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker pull debian:trixie-slim

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
print(check_base_layer_shared(client, "debian:trixie-slim", ["nginx:stable", "nginx:latest"]))

# %% [markdown] en="26fbcaa38a"
# ## 정리
# 내려받은 태그는 다음 레슨들을 위해 남겨 둡니다(노트북 07이 지웁니다). 정리(cleanup) 호출은 이
# 노트북이 만든 것을 지우고, 다음 노트북이 엔진을 쓸 수 있게 합니다.

# %%
len(cleanup(notebook="02"))

# %% [markdown] en="11497bc366"
# ## 요약
# - `docker search`는 Docker Hub에만 묻습니다. 프라이빗 레지스트리는 대신 `GET /v2/_catalog`와
#   `GET /v2/<name>/tags/list`로 목록을 보여 줍니다.
# - 이미지는 레이어를 쌓은 것입니다. 내려받기는 레이어마다 상태 줄을 여러 개 출력하고, 엔진에 없는
#   레이어만 압축된 채로 내려받습니다(나머지는 "Already exists").
# - Docker Hub에서 `latest`는 nginx의 mainline이고 `stable`은 stable 브랜치입니다. 이 실습
#   환경에서는 각각 Debian의 nginx 1.30.6과 1.26.3이며, 베이스 하나를 공유하는 실습 환경
#   빌드입니다.
# - 태그는 옮겨질 수 있지만, 다이제스트(`name@sha256:...`)는 절대 옮겨지지 않습니다. 다이제스트는
#   Docker Hub에서는 보통 멀티 플랫폼 인덱스를, 이 실습 환경에서는 단일 플랫폼 매니페스트 하나를
#   가리킵니다.
#
# ## 다음 단계
# [03 · 이미지와 공유 레이어](03-images-and-shared-layers.ipynb): 베이스를 공유하는 두 이미지가
# 실제로 디스크를 얼마나 쓰는지 알아봅니다.
#
# ## 참고 자료
# - Docker: [`docker search`](https://docs.docker.com/reference/cli/docker/search/)와
#   [`docker pull`](https://docs.docker.com/reference/cli/docker/image/pull/) (레이어, 다이제스트)
# - Docker:
#   [`docker buildx imagetools inspect`](https://docs.docker.com/reference/cli/docker/buildx/imagetools/inspect/)와
#   [멀티 플랫폼 이미지](https://docs.docker.com/build/building/multi-platform/)
# - Docker Hub: [nginx](https://hub.docker.com/_/nginx) (태그 목록); nginx: [stable과
#   mainline](https://nginx.org/en/download.html)
# - Docker: [레지스트리 미러 / 풀스루 캐시(pull-through
#   cache)](https://docs.docker.com/docker-hub/image-library/mirror/)
# - Docker: [Docker Hub 내려받기 제한](https://docs.docker.com/docker-hub/usage/pulls/)
# - Distribution: [Registry HTTP API v2: 카탈로그와
#   태그](https://distribution.github.io/distribution/spec/api/)
