# %% [markdown] en="3def53f47e"
# # 07 · 나만의 이미지 빌드와 배포
#
# 나만의 페이지를 담은 세 줄짜리 Dockerfile을 쓰고, BuildKit으로 빌드하고, 빌드 캐시(build cache)가
# 일하는 모습을 보고, 이미지(image)를 레지스트리(registry)를 거쳐 배포한 뒤 돌아온 이미지를
# 실행합니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. 페이지와 Dockerfile
# 2. `docker build`
# 3. 빌드 캐시: `CACHED`, 그리고 단계(step)를 다시 실행하게 만드는 것
# 4. `docker history`: 베이스 이미지(base image)의 레이어(layer)와 하나 더
# 5. `.dockerignore`: 빌더(builder)가 보지 못하는 파일
# 6. `docker tag`와 `docker push`로 실습 환경(lab)의 레지스트리에 올리기
# 7. 다이제스트(digest)로 다시 내려받아 실행하기
# 8. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [04 · 이미지 히스토리](04-image-history.ipynb) | 필수 | 레이어, 메타데이터 단계, `docker history` |
# | [06 · 포트 게시](06-publishing-ports.ipynb) | 필수 | `-p 127.0.0.1:8080:80`, `curl` |
# | [02 · 검색과 내려받기](02-search-and-pull.ipynb) | 도움 됨 | 실습 환경의 레지스트리, 다이제스트 |
#
# **학습 시간:** 25분
#
# ## 준비
# 이 레슨(lesson)은 `nginx:stable`(없으면 준비 셀(cell)이 가져옵니다) 위에 빌드하고, 이
# 노트북(notebook) 옆의 전용 폴더 `work-07`에 파일을 쓰고, 사이트를 호스트 포트 8087(또는 다음 빈
# 포트이며, 그때는 그렇다고 알려 줍니다)에 게시합니다. 실습 환경의 레지스트리에는 시리즈(series)
# 고유의 이름인 `127.0.0.1:5000/docker-notebooks/my-site`로 푸시(push)합니다. 마지막 셀은 레슨이
# 만든 다른 모든 것과 함께 이것을 레지스트리에서 다시 삭제합니다. 여러분의 이미지 중에 `my-site`
# 태그(tag)가 붙은 것이 있으면 준비 셀은 멈추고 그렇다고 알려 줍니다. 빌드하면 그 이미지에서
# 태그를 가져와 버리기 때문입니다.

# %%
from helpers.cleanup import cleanup
from helpers.containers import free_port
from helpers.http import wait_http
from helpers.notebook import setup_notebook
from helpers.registry import ensure_image
from helpers.shipping import (
    check_new_push,
    check_tags_free,
    delete_pushed,
    registry_digest,
    repo_digest,
    series_repository,
)
from helpers.workdir import lesson_folder

lab = setup_notebook("07", language="ko")
client = lab.client
if not lab.rerun:
    delete_pushed("07")
REPO = series_repository("07", "my-site")
check_tags_free(["my-site", REPO, f"{REPO}:v2"], client=client)
_ = ensure_image("nginx:stable", client=client)
folder = lesson_folder("07")
PORT = free_port(8087, notebook="07", client=client)

# %% [markdown] en="28c301ffd9"
# ## 1. 페이지와 Dockerfile
# 먼저 학습자(learner)의 콘텐츠인 페이지입니다(`%%writefile`은 셀을 파일로 저장합니다. 원하면
# 텍스트를 바꾸세요):

# %%
%%writefile work-07/index.html
<h1>Hello from my own image</h1>

# %% [markdown] en="185a248c5f"
# Dockerfile은 이미지의 레시피로, 한 줄에 명령어(instruction) 하나씩 씁니다. `FROM`은 시작점이 될
# 베이스 이미지를 지정하고, `COPY`는 빌드 폴더에서 파일을 추가하며, `LABEL`은
# 메타데이터를 설정합니다. 이 실습 환경에서 `nginx:stable`은 Debian의 nginx로, `/var/www/html`
# 폴더의 파일을 제공합니다. Docker Hub의 공식 nginx 이미지는 대신 `/usr/share/nginx/html`을
# 제공하므로, 그 이미지를 쓸 때는 `COPY`에 그 폴더를 적습니다.

# %%
%%writefile work-07/Dockerfile
FROM nginx:stable
COPY index.html /var/www/html/
LABEL org.opencontainers.image.title="my-site"

# %% [markdown] en="345f116bd1"
# ## 2. `docker build`
# `docker build -t my-site work-07`은 `work-07`에 있는 Dockerfile로 이미지를 빌드하고 `my-site`
# 태그를 붙입니다. 이 폴더가 *빌드 컨텍스트(build context)*, 즉 `COPY`가 가져갈 수 있는 파일들입니다.
# 셀의 첫 줄 `%%time`은 Jupyter의 스톱워치입니다(터미널에서는 `time docker build ...`라고
# 입력합니다):

# %%
%%time
!docker build -t my-site work-07

# %% [markdown] en="2c00e1913a"
# 이것은 BuildKit의 로그입니다. BuildKit은 Docker Engine 23.0부터 기본 빌더입니다(터미널에서는 같은
# 내용이 간결하게 표시되며, `--progress=plain`을 주면 터미널에서도 이 형태로 출력됩니다). 각 `#N`이
# 단계 하나입니다. `[internal]` 단계들은 Dockerfile, `.dockerignore`(5절), 컨텍스트를 읽습니다. 그
# 다음 Dockerfile 자신의 단계들이 `[1/2]`, `[2/2]` 번호를 달고 옵니다. `FROM`, 그다음 `COPY`입니다.
# `LABEL`은 이미지의 설정만 바꾸므로 자기 단계가 없습니다. "exporting to image"는 이미지를 쓰고
# `docker.io/library/my-site`라는 이름을 붙입니다. 레지스트리가 없는 이름은 `nginx`에서처럼
# Docker Hub의 이름을 뜻합니다.
#
# ## 3. 빌드 캐시: `CACHED`, 그리고 단계를 다시 실행하게 만드는 것
# 똑같은 빌드를 다시 실행합니다:

# %%
%%time
!docker build -t my-site work-07

# %% [markdown] en="5a593e1d55"
# 이제 `COPY`에 `CACHED`라고 나옵니다. BuildKit은 각 단계의 결과를 보관해 두었고, 그 키는 명령어,
# 바로 앞 단계, 그리고 `COPY`와 `ADD`의 경우 복사하는 파일의 내용으로 만들어집니다. 키가 같으므로
# 단계는 실행되지 않았습니다. BuildKit은 이전 결과를 가져다 썼고, `writing image`에는 이전과 같은
# 이미지 ID가 나옵니다. `Wall time` 줄은 각 빌드에 걸린 시간을 보여 줍니다. 둘 다 짧습니다. 단계라고는
# 작은 파일 하나를 복사하는 것뿐이라 시간은 빌드를 시작하고 이미지를 쓰는 데 들고, 캐시가 아낄 것이
# 거의 없습니다. 캐시는 느린 단계에서 가장 많이 아낍니다. `CACHED` 단계는 전혀 실행되지 않으므로,
# 패키지 설치에 몇 분이 걸리는 `RUN`도 두 번째 빌드에서는 시간이 들지 않습니다.
#
# 이제 페이지를 바꿉니다:

# %%
%%writefile work-07/index.html
<h1>Hello from my own image, version 2</h1>

# %% [markdown] en="c36cc0760e"
# 그리고 다시 빌드합니다:

# %%
%%time
!docker build -t my-site work-07

# %% [markdown] en="d4dd4199ed"
# `COPY`가 다시 실행되었습니다(`CACHED`가 아니라 `DONE`). 파일의 내용이 바뀌었으니 단계의 키도
# 바뀌었고, 그와 함께 그 뒤의 모든 단계의 키도 바뀌었습니다. 같은 내용을 다시 저장하는 것은 바뀐
# 것으로 치지 않습니다. 키는 파일이 언제 저장되었는지가 아니라 무엇을 담고 있는지를 반영하기
# 때문입니다. 그래서 Dockerfile에서는 가장 적게 바뀌는 단계(패키지를 설치하는 느린 `RUN`)를 앞에,
# 가장 많이 바뀌는 것(여러분의 파일)을 뒤에 둡니다.
#
# ## 4. `docker history`: 베이스 이미지의 레이어와 하나 더
# 레슨 04에서는 `docker history`로 `nginx:stable`의 레시피를 되짚어 읽었습니다. 새 이미지의
# 히스토리는 nginx:stable의 히스토리 위에 두 행, 즉 `FROM` 다음의 두 명령어가 얹힌 것입니다:

# %%
!docker history my-site

# %% [markdown] en="84e07e8293"
# `COPY`는 `index.html`의 크기만큼 더했고, `LABEL`은 04에서처럼 메타데이터 단계라서 0 B를
# 더했습니다. 그래서 새 이미지는 베이스보다 레이어가 하나 더 많습니다. `RootFS.Layers`로 레이어를
# 셉니다(베이스의 레이어가 먼저 옵니다):

# %%
!docker image inspect --format '{{len .RootFS.Layers}}' nginx:stable my-site

# %% [markdown] en="435f9c26da"
# 그리고 새 이미지는 베이스의 레이어들로, 같은 순서로 정확히 시작합니다. 레이어는 복사되는 것이
# 아니라 재사용됩니다.

# %%
base_layers = client.images.get("nginx:stable").attrs["RootFS"]["Layers"]
my_layers = client.images.get("my-site").attrs["RootFS"]["Layers"]
n = len(base_layers)
print(f"my-site's first {n} layers are nginx:stable's {n}:", my_layers[:n] == base_layers)

# %% [markdown] en="b1a7162e3e"
# 크기도 같은 이야기를 합니다. `docker image inspect`는 각 이미지의 크기를 바이트 단위로 알려
# 줍니다:

# %%
!docker image inspect --format '{{.Size}}' nginx:stable my-site

# %% [markdown] en="598e228bcc"
# 차이는 바이트 하나까지 정확히 페이지의 크기입니다. 디스크에서 베이스의 레이어는 한 번만 저장되고
# 두 이미지가 공유합니다(레슨 03의 계산):

# %%
sizes = {ref: client.images.get(ref).attrs["Size"] for ref in ("nginx:stable", "my-site")}
print(f"my-site - nginx:stable = {sizes['my-site'] - sizes['nginx:stable']} bytes;",
      f"index.html is {(folder / 'index.html').stat().st_size} bytes")  # fmt: skip

# %% [markdown] en="ae03dda5b5"
# ## 5. `.dockerignore`: 빌더가 보지 못하는 파일
# 폴더에는 이미지에 들어갈 것보다 많은 것이 들어 있습니다. 메모, 초안, 키 같은 것들입니다. 페이지
# 옆에 메모를 하나 둡니다:

# %%
%%writefile work-07/notes.txt
Ideas for the site. Not for the image.

# %% [markdown] en="878db2cfc4"
# 컨텍스트에 있는 `.dockerignore` 파일은 빌더가 받으면 안 되는 파일을 한 줄에 패턴 하나씩
# 나열합니다(`*.txt`, `secrets/`, `.git`):

# %%
%%writefile work-07/.dockerignore
notes.txt

# %% [markdown] en="b80faafc0f"
# 이것이 작동하는 모습을 보려고, 메모를 복사하려는 두 번째 Dockerfile(`-f`로 지정합니다)을
# 빌드합니다. 이 빌드는 일부러 실패합니다:

# %%
%%writefile work-07/Dockerfile.notes
FROM nginx:stable
COPY notes.txt /var/www/html/

# %%
!docker build -f work-07/Dockerfile.notes work-07

# %% [markdown] en="9a44dae996"
# 파일이 폴더에 분명히 있는데도 `"/notes.txt": not found`입니다:

# %%
!ls work-07

# %% [markdown] en="0ff591ee45"
# 빌더는 `.dockerignore`로 걸러진 컨텍스트를 받으므로, 빌드 입장에서 `notes.txt`는 존재하지
# 않습니다. 마지막 줄은 BuildKit의 오류를 시리즈가 한 문장으로 풀어 쓴 것입니다. 철자가 틀린
# 명령어도 어떤 단계도 실행되기 전에 같은 방식으로 실패합니다(`unknown instruction: COPPY`).
#
# ## 6. `docker tag`와 `docker push`로 실습 환경의 레지스트리에 올리기
# 이미지의 이름은 그 이미지가 어디에 있는지 알려 줍니다: `registry/path:tag`. `my-site`를 실습
# 환경의 레지스트리에 푸시하려면 레지스트리 주소로 시작하는 두 번째 이름을 붙입니다. 시리즈는
# 자기 이미지를 `docker-notebooks/` 아래에 둡니다:

# %%
!docker tag my-site 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown] en="a69eaf1a33"
# 태그는 이름일 뿐입니다. 이제 이미지 하나에 이름이 두 개입니다.

# %%
!docker image inspect --format '{{.Id}} {{.RepoTags}}' my-site

# %% [markdown] en="2383961001"
# `docker push`는 이미지를 업로드합니다. 레이어마다 한 줄씩 `Pushed`가 나오거나, 레지스트리가 이미
# 가진 레이어라면 `Layer already exists`(또는 레지스트리의 다른 저장소(repository)에서 가져왔다는
# `Mounted from`)가 나옵니다. 그다음 태그와, 레지스트리가 저장한 것의 *다이제스트*가 나옵니다:

# %%
!docker push 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown] en="0c9178b421"
# 이제 레지스트리가 레슨 02에서와 같은 API로 태그를 나열합니다:

# %%
!curl -s http://127.0.0.1:5000/v2/docker-notebooks/my-site/tags/list

# %% [markdown] en="eca21bb8dd"
# 태그는 다음 푸시 때 다른 이미지로 옮겨갈 수 있지만, 다이제스트는 그럴 수 없습니다. 다이제스트는
# 이미지 매니페스트(manifest)의 해시이므로, 바로 이 내용을 영원히 가리킵니다. 푸시한 뒤 엔진(engine)은
# 다이제스트를 이미지의 *저장소 다이제스트*(repo digest)로 기록합니다:

# %%
!docker image inspect --format '{{index .RepoDigests 0}}' 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown] en="108906a0a9"
# 다음 절을 위해 이것과 이미지 ID를 보관해 둡니다(`PINNED`는 다이제스트가 붙은 이름입니다):

# %%
PINNED = repo_digest(REPO, client)
BUILT_ID = client.images.get(REPO).id
print(PINNED == f"{REPO}@{registry_digest('docker-notebooks/my-site', 'latest')}")

# %% [markdown] en="3e9a9f8b0e"
# (`True`: 엔진이 기록한 다이제스트는 레지스트리가 그 태그에 대해 내주는 다이제스트와 같습니다.)
#
# ## 7. 다이제스트로 다시 내려받아 실행하기
# 로컬 이름 두 개를 모두 제거합니다. 이미지는 마지막 이름과 함께 사라집니다:

# %%
!docker rmi my-site 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown] en="ea063b3877"
# 레지스트리에서 다이제스트로 다시 내려받습니다(`{PINNED}`는 레슨의 Python 변수입니다. 터미널에서는
# 이름, `@`, 다이제스트를 이어서 입력합니다):

# %%
!docker pull {PINNED}

# %% [markdown] en="9eea01a43d"
# 모든 레이어가 "Already exists"입니다. nginx:stable의 레이어 두 개가 여기 있고, 빌드 캐시가 아직
# 페이지의 레이어를 가지고 있습니다. 이번 내려받기는 이미지의 매니페스트와 설정을 가져왔습니다.
# 다이제스트로 내려받은 이미지에는 태그가 없고 다이제스트만 있습니다:

# %%
!docker images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' 127.0.0.1:5000/docker-notebooks/my-site

# %% [markdown] en="8b079a4bbf"
# 그리고 이것은 3절에서 빌드한 바로 그 이미지로, ID가 같습니다:

# %%
print("same image ID as the one built:", client.images.get(PINNED).id == BUILT_ID)

# %% [markdown] en="3f9fc6fc13"
# 레슨 06에서처럼 127.0.0.1에 게시해서, 다이제스트로 실행합니다:

# %%
!docker run -d --name my-site -p 127.0.0.1:{PORT}:80 {PINNED}

# %% [markdown] en="4b509f83a2"
# 헬퍼(helper)가 포트가 응답할 때까지 (시간 제한을 두고) 기다리고, 그다음 curl이 여러분의 페이지를
# 요청합니다:

# %%
_ = wait_http(f"http://127.0.0.1:{PORT}")

# %%
!curl -s 127.0.0.1:{PORT}

# %% [markdown] en="ec4fe22a9a"
# 여러분의 이미지가 제공하는 여러분의 페이지입니다. 그 이미지는 레지스트리에서 다이제스트로 다시
# 내려받은 것입니다.
#
# ## 8. 직접 해 보기
# **연습 문제.** 페이지를 바꾸고(여러분만의 제목으로), `my-site`를 다시 빌드한 뒤, 실습 환경의
# 레지스트리에 버전 `v2`로 푸시하세요: `127.0.0.1:5000/docker-notebooks/my-site:v2`. 그다음 아래 확인
# 셀을 실행하세요. 확인 셀은 레지스트리에 `v2`를 요청하고, 그 다이제스트를 첫 번째 푸시의
# 다이제스트와 비교합니다.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
!echo '<h1>My site, version 3</h1>' > work-07/index.html
!docker build -t my-site work-07
!docker tag my-site 127.0.0.1:5000/docker-notebooks/my-site:v2
!docker push 127.0.0.1:5000/docker-notebooks/my-site:v2

# %% [markdown] en="e00f42e49d"
# 확인:

# %%
print(check_new_push(REPO, "v2", pinned=PINNED))

# %% [markdown] en="d9ea6e519d"
# ## 정리
# 레슨의 저장소를 실습 환경의 레지스트리에서 삭제합니다(레지스트리의 API로 태그를 지운 다음 그
# 폴더를 지워서, 레지스트리가 다시 실습 환경의 이미지만 나열하게 합니다). 그리고 이 노트북이 만든
# 것을 (라벨(label)로 골라) 제거합니다. 컨테이너(container), 이미지, 이 노트북 빌드들의 빌드 캐시
# 기록, `work-07` 폴더입니다. 그러고 나서 다음 노트북이 엔진을 쓸 수 있게 합니다:

# %%
print("deleted from the lab registry:", *delete_pushed("07"))
cleanup(notebook="07")["kind"].value_counts()

# %% [markdown] en="1093faa3b2"
# ## 요약
# - Dockerfile은 레시피입니다. 베이스를 `FROM`으로 정하고, 여러분의 파일을 `COPY`로 넣고,
#   메타데이터를 `LABEL`로 설정합니다. `docker build -t NAME FOLDER`는 BuildKit으로 이미지를
#   빌드하며, 그 폴더가 빌드 컨텍스트입니다.
# - BuildKit은 각 단계를 캐시합니다. 바뀐 것 없이 다시 빌드하면 `CACHED`라고 나오고 아무것도
#   실행하지 않습니다. 파일이 바뀌면 그 파일을 가져가는 `COPY`와 그 뒤의 모든 단계가 다시
#   실행됩니다. 가장 많이 바뀌는 것을 마지막에 두세요.
# - 새 이미지는 재사용한 베이스의 레이어에 `COPY`마다 레이어 하나를 더한 것입니다. `LABEL`은 0 B를
#   더합니다. `docker history`는 둘 다 보여 주고, `RootFS.Layers`는 레이어를 셉니다.
# - `.dockerignore`는 파일을 컨텍스트에서 빼 둡니다. 그런 파일을 `COPY`하면 `not found`로 실패합니다.
# - `docker tag`는 이미지에 레지스트리 이름을 붙이고, `docker push`는 이미지를 업로드하고 그
#   다이제스트를 출력하며, `docker pull NAME@sha256:...`은 정확히 그 이미지를 같은 ID로 다시
#   가져옵니다.
#
# ## 다음 단계
# [08 · 실행 중인 컨테이너 안, 그리고 데이터 보존](08-inside-containers-and-keeping-data.ipynb): 실행 중인 컨테이너
# 안을 살펴보고, 컨테이너가 사라져도 데이터를 지킵니다.
#
# ## 참고 자료
# - Docker: [BuildKit](https://docs.docker.com/build/buildkit/) (Docker Engine 23.0부터 기본
#   빌더)
# - Docker: [Dockerfile 레퍼런스](https://docs.docker.com/reference/dockerfile/)와
#   [`docker build`](https://docs.docker.com/reference/cli/docker/buildx/build/)
# - Docker: [빌드 캐시](https://docs.docker.com/build/cache/)와
#   [캐시 무효화](https://docs.docker.com/build/cache/invalidation/)
# - Docker: [빌드 컨텍스트와 `.dockerignore`](https://docs.docker.com/build/concepts/context/)
# - Docker: [`docker image tag`](https://docs.docker.com/reference/cli/docker/image/tag/),
#   [`docker image push`](https://docs.docker.com/reference/cli/docker/image/push/),
#   [다이제스트로 내려받기](https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier)
# - Docker Hub: [공식 nginx 이미지](https://hub.docker.com/_/nginx) (`/usr/share/nginx/html`을
#   제공)
# - Distribution: [Registry HTTP API v2](https://distribution.github.io/distribution/spec/api/)
#   (태그, 매니페스트, 삭제)
