# %% [markdown] en="f2a04df947"
# # 05 · 컨테이너 실행과 재시작 정책
#
# 컨테이너(container)를 백그라운드에서 시작하고, `docker ps`와 그 필터로 다시 찾고, 각 재시작
# 정책(restart policy)이 실패하는 컨테이너를 어떻게 다루는지 살펴봅니다.
#
# 용어가 낯설면 [용어집](../../docs/glossary.ko.md)을 보세요.
#
# ## 개요
# 1. `docker run -d --restart always nginx`와 `docker ps`
# 2. 컨테이너 찾기: `docker ps -f id=`와 `-f name=`
# 3. 실패하는 컨테이너에 적용된 재시작 정책
# 4. 직접 정지한 경우: `docker stop`
# 5. 데몬(daemon)이 재시작될 때: 관찰한 표, 그리고 문서가 틀린 부분
# 6. 직접 해 보기
#
# ## 사전 지식
# | 개념 | 중요도 | 비고 |
# | --- | --- | --- |
# | [02 · 검색과 내려받기](02-search-and-pull.ipynb) | 필수 | `nginx` 이미지(image) |
# | 종료 코드(exit code) | 도움 됨 | 0은 성공, 그 밖의 값은 모두 실패 |
#
# **학습 시간:** 25분
#
# ## 준비
# 준비 셀(cell)은 엔진(engine)을 확인하고, 이 레슨(lesson)이 어느 엔진에서 실행되는지 알려 주며,
# `nginx`의 두 태그(tag)가 모두 있도록 합니다. 여기서부터 이 노트북(notebook)의 `docker run` 줄에는
# 시리즈(series)의 라벨(label)인 `tutorial=docker-notebooks`와 `tutorial.notebook=05`도 붙습니다.
# 그래서 마지막 셀이 이 노트북이 만든 것만 정확히 제거합니다. 터미널에서는 명령을 보이는 그대로
# 입력하세요.

# %%
from helpers.cleanup import cleanup
from helpers.containers import id_twins, shortest_unique_prefix
from helpers.notebook import setup_notebook
from helpers.policy_observation import load as load_observation
from helpers.policy_observation import observed_table
from helpers.registry import ensure_image
from helpers.restarts import (
    check_restart_exercise,
    stays_down,
    still_rising,
    wait_exited,
    wait_restarting,
    watch_restarts,
)

lab = setup_notebook("05", language="ko")
client = lab.client
for tag in ("nginx:latest", "nginx:stable"):
    ensure_image(tag, client=client)

# %% [markdown] en="b5e037477f"
# ## 1. `docker run -d --restart always nginx`와 `docker ps`
# `docker run`은 이미지로 컨테이너를 만들고 시작합니다. `-d`(`--detach`)는 컨테이너를
# 백그라운드에서 실행합니다. 명령은 곧바로 끝나고 새 컨테이너의 전체 ID를 출력합니다.
# `--restart always`는 컨테이너의 재시작 정책입니다. 컨테이너가 스스로 멈출 때마다 엔진이 다시
# 시작합니다. 태그 없이 쓴 `nginx`는 `nginx:latest`를 뜻합니다. 원본 노트(source notes)에
# 나오는 명령입니다:

# %%
!docker run -d --restart always nginx

# %% [markdown] en="8c509f5196"
# `docker ps`는 실행 중인 컨테이너를 나열합니다. STATUS에는 `Up`과 실행된 시간이 나옵니다.
# NAMES는 무작위로 만든 `adjective_name`(형용사_이름) 쌍입니다. 명령에 `--name`을 주지 않았기
# 때문입니다. 이 목록에는 엔진에서 실행 중인 모든 컨테이너가 나오며 여러분의 컨테이너도
# 포함되므로, 여러분의 목록은 여기 저장된 것보다 길 수 있습니다(그래서 노트북을 검사할 때 이
# 출력 하나만은 비교하지 않습니다. 다음 셀들은 목록을 이 레슨의 컨테이너로 좁히며, 그 출력은
# 비교합니다):

# %% tags=["nbval-ignore-output"]
!docker ps

# %% [markdown] en="610acc5ab4"
# ## 2. 컨테이너 찾기
# ### `-f id=`: ID의 앞부분
# `docker ps -f id=`는 컨테이너 ID의 앞부분을 받습니다. 원본 노트는 세 글자를 입력합니다
# (`docker ps -f id=1c6`). 다른 어떤 컨테이너의 ID(정지된 컨테이너 포함)도 같은 글자로 시작하지
# 않는다면 더 적은 글자로도 됩니다. 아래 셀은 위 컨테이너에 대해 그런 앞부분 가운데 가장 짧은
# 것을 찾고, 나중에 쓸 ID 가운데 부분의 한 조각도 잘라 둡니다:

# %%
first = client.containers.list(limit=1, filters={"label": "tutorial.notebook=05"})[0]
prefix = shortest_unique_prefix(client, first.id)
middle = first.id[20:32]

# %%
!docker ps -f id={prefix}

# %% [markdown] en="a0b8a844aa"
# 두 ID가 함께 가진 앞부분은 모호합니다. ID는 무작위이므로, 헬퍼(helper)는 정지된 컨테이너를
# 만들다가 그중 두 개가 같은 글자로 시작하면 그 두 개를 남겨 둡니다:

# %%
twins = id_twins(client, notebook="05")
twins

# %% [markdown] en="c50f049181"
# 그 공통 첫 글자로 `-f id=`를 쓰면 두 컨테이너가 나오는 것이 아니라 아무것도 나오지 않습니다
# (`-a`는 정지된 컨테이너도 포함합니다):

# %%
!docker ps -a -f id={twins.prefix} --format 'table {{.ID}}\t{{.Names}}'

# %% [markdown] en="e67d32c9cd"
# ID 가운데의 한 조각도 일치하지 않습니다. `-f id=`는 언제나 앞부분만 봅니다.

# %%
!docker ps -a -f id={middle} --format 'table {{.ID}}\t{{.Names}}'

# %% [markdown] en="de5abcff35"
# ### `-f name=`: 이름의 어느 위치든
# 직접 고른 이름(`--name`)을 가진 컨테이너 두 개입니다. 한 이름이 다른 이름의 앞부분입니다:

# %%
!docker run -d --restart always --name nginx-web nginx
!docker run -d --restart always --name nginx-web2 nginx

# %% [markdown] en="8cb0a0865d"
# `-f name=`은 값이 이름의 어느 위치에 있든 일치하므로, `nginx-web`은 두 컨테이너를 모두
# 찾습니다(Go 템플릿을 쓴 `--format`은 출력할 열을 고릅니다. `{{.Names}}`는 NAMES 열입니다):

# %%
!docker ps -f name=nginx-web --format '{{.Names}}'

# %% [markdown] en="9f26eaa77c"
# 값은 정규 표현식입니다. `^`는 이름의 시작에, `$`는 끝에 고정하므로 `^nginx-web$`는 정확히
# 컨테이너 하나를 찾습니다:

# %%
!docker ps -f 'name=^nginx-web$' --format '{{.Names}}'

# %% [markdown] en="a75214e42c"
# ## 3. 실패하는 컨테이너에 적용된 재시작 정책
# 정책이 작동하는 모습을 보려면 컨테이너가 스스로 멈춰야 합니다. `docker stop`은 "직접 정지한
# 것"으로 쳐서 정책을 중단시킵니다(4절). 이미지 뒤에 오는 단어들은 이미지의 명령을 대신하므로,
# 아래의 각 컨테이너는 `sh -c 'sleep 1; exit 1'`을 실행합니다. 즉 1초 뒤에 실패합니다. 정책마다
# 컨테이너를 하나씩 만들며, `on-failure:2`는 재시작을 최대 두 번까지 허용합니다:

# %%
!docker run -d --restart no --name fails-no nginx sh -c 'sleep 1; exit 1'
!docker run -d --restart on-failure:2 --name fails-on-failure nginx sh -c 'sleep 1; exit 1'
!docker run -d --restart always --name fails-always nginx sh -c 'sleep 1; exit 1'
!docker run -d --restart unless-stopped --name fails-unless-stopped nginx sh -c 'sleep 1; exit 1'

# %% [markdown] en="c180fe754d"
# 헬퍼는 (시간 제한을 두고) 컨테이너들을 지켜봅니다. 각 컨테이너가 멈춘 채로 있거나(엔진의 다음
# 재시작 지연 시간의 두 배 동안, 최소 1초 동안 종료 상태로 있음) 두 번 넘게 재시작할 때까지
# 지켜봅니다. 표의 값은 모두 엔진에서 읽은 것입니다. 정책, 마지막 종료의 종료 코드(엔진의 `die`
# 이벤트에서 읽음), 재시작 횟수(`RestartCount`)입니다:

# %%
failing = ["fails-no", "fails-on-failure", "fails-always", "fails-unless-stopped"]
watched = watch_restarts(client, failing, beyond=2)
watched

# %% [markdown] en="a35cce2c13"
# `no`는 컨테이너를 한 번도 재시작하지 않았습니다. `on-failure:2`는 두 번 재시작한 뒤 멈춘 채로
# 두었습니다. `always`와 `unless-stopped`는 `on-failure:2`의 한도를 넘어 세 번째로 재시작했습니다.
# 모든 컨테이너가 코드 1로 종료했고 매번 1초만 실행되었는데도, 엔진은 컨테이너를 재시작했습니다.
#
# 엔진은 두 번의 시도 사이에 기다립니다. 첫 재시작 전에는 100 ms, 그 뒤로는 매번 두 배씩(200 ms,
# 400 ms, ...) 최대 1분까지 기다립니다. 기다리는 동안 `docker ps -a`는 컨테이너를 `Restarting (1)`로
# 보여 줍니다. 괄호 안의 숫자는 횟수가 아니라 마지막 종료 코드입니다. 헬퍼가 `fails-always`가
# 이런 대기 상태에 들어갈 때까지 기다리면, 명령이 그 상태를 보여 줍니다:

# %%
wait_restarting(client, "fails-always")
!docker ps -a -f name=fails-always

# %% [markdown] en="241f95a5eb"
# 지금 다시 읽어 보면 `always`와 `unless-stopped`의 재시작 횟수는 위 표보다 늘었고, 멈춘 채로
# 있던 두 컨테이너의 횟수는 그대로입니다:

# %%
still_rising(client, watched)

# %% [markdown] en="8119ea326c"
# ## 4. 직접 정지한 경우
# `docker stop`은 컨테이너를 직접 정지한 것으로 표시하며, 그러면 엔진은 더 이상 그 재시작 정책을
# 적용하지 않습니다. `nginx-web`은 `always` 정책으로 실행 중입니다:

# %%
!docker stop nginx-web

# %% [markdown] en="62df0ae30f"
# nginx는 정지될 때 코드 0으로 종료하고, 컨테이너는 `Exited` 상태로 남습니다:

# %%
!docker ps -a -f 'name=^nginx-web$'

# %% [markdown] en="09ef71202e"
# `nginx-web`은 한 번도 재시작된 적이 없으므로, 정책이 적용되었다면 엔진은 100 ms 뒤에 컨테이너를
# 다시 시작했을 것입니다. 헬퍼는 컨테이너의 재시작 횟수로 그 지연 시간을 계산하고, 그 열 배 동안
# 지켜봅니다. 컨테이너는 멈춘 채로 있습니다.

# %%
stays_down(client, "nginx-web")

# %% [markdown] en="8ca46d0ba1"
# `--rm`으로 실행한 컨테이너는 멈추면 제거되므로 재시작될 수 없습니다. 그래서 CLI는 `--restart`와
# `--rm`을 함께 쓰는 것을 거부하고, 아무것도 만들지 않습니다:

# %%
!docker run --rm --restart always nginx

# %% [markdown] en="98868d530e"
# ## 5. 데몬이 재시작될 때
# 데몬 자체가 재시작될 때(재부팅, 업그레이드) 무슨 일이 일어나는지는 여러분 엔진의 모든
# 컨테이너를 멈추지 않고는 여기서 보여 줄 수 없습니다. 그래서 이 시리즈는 대신 임시
# 엔진(scratch engine)에서 관찰합니다. 모든 정책의 컨테이너를 여섯 가지 상황에 두고 임시 데몬을
# 재시작했습니다. 결과는 관찰에 쓴 엔진 정보와 함께 `data/restart-policies.json`에 보관되어
# 있습니다. 테스트 모음(test suite)은 다시 관찰하고, 엔진의 동작이 파일과 다르면 실패합니다:

# %%
recorded = load_observation()
recorded["engine"], recorded["observed_on"]

# %% [markdown] en="17ac8ba44c"
# 정책마다 한 행, 상황마다 한 열입니다:

# %%
policies = observed_table(recorded)
policies.T

# %% [markdown] en="0c2fd2883f"
# 데몬이 종료되면서 실행 중인 컨테이너를 어떻게 끝냈는지를 보면 `on-failure` 행을 이해할 수
# 있습니다. nginx는 정상적으로 멈추지만(종료 코드 0), 정지 시그널(signal)을 무시하는 프로세스는 정지 제한
# 시간이 다 되면 강제 종료됩니다(137):

# %%
recorded["exit_codes_at_shutdown"]

# %% [markdown] en="195fffab60"
# 따라서 데몬이 시작될 때 `on-failure`는 데몬 종료 때 강제 종료된(137) 컨테이너는 다시 시작했고,
# 정상적으로 멈춘(0) 컨테이너는 멈춘 채로 두었습니다. Docker 문서
# [컨테이너 자동 시작](https://docs.docker.com/engine/containers/start-containers-automatically/)은
# 한 곳에서 이와 다르게 말합니다. 문서의 설명과 관찰한 칸을 나란히 놓았습니다:

# %%
import pandas as pd

docs_say = {
    ("always", "docker stop"): "stays down",
    ("always", "daemon restart, stopped by hand before"): "started again",
    ("unless-stopped", "daemon restart, stopped by hand before"): "stays down",
    ("on-failure", "daemon restart, was running"): "stays down",
    ("on-failure", "daemon restart, was running, killed at shutdown"): "stays down",
}
pd.DataFrame(
    [(p, s, says, policies.loc[p, s]) for (p, s), says in docs_say.items()],
    columns=["policy", "situation", "docs say", "observed"],
).assign(agree=lambda t: t["docs say"] == t["observed"])

# %% [markdown] en="502d6203f2"
# 관찰한 표는 두 곳에서 문서를 바로잡습니다:
# - 문서는 `on-failure`가 "데몬이 재시작되면 컨테이너를 재시작하지 않는다"(doesn't restart the
#   container if the daemon restarts)고 말합니다. 컨테이너가 데몬 종료 때 강제 종료되었다면
#   재시작합니다. 엔진은 강제 종료(137)를 실패로 셉니다.
#   [moby#47846](https://github.com/moby/moby/issues/47846)은 Engine 26.1.3에서 호스트를 리셋한
#   뒤 같은 현상을 보고합니다.
# - 문서는 정책이 "컨테이너가 성공적으로 시작된 뒤에만 적용된다"(only takes effect after a
#   container starts successfully)고 말하며, 이는 "적어도 10초 동안 실행됨"을 뜻합니다. 3절의
#   컨테이너들은 매번 1초씩만 실행되었는데도 똑같이 재시작되었습니다.
#
# 원본 노트의 표는 `on-failure` 컨테이너가 Docker 서비스와 함께 시작한다고 말합니다. 관찰에서는
# 데몬 종료 때 강제 종료된 컨테이너만 시작했습니다.
#
# ## 6. 직접 해 보기
# **연습 문제.** `nginx`로 `try-on-failure`라는 이름의 컨테이너를 `on-failure:3` 정책으로
# 실행하세요. 명령은 `sh -c 'exit 1'`입니다(곧바로 실패합니다). 재시작이 멈추면
# `docker inspect --format '{{.RestartCount}}' try-on-failure`로 재시작 횟수를 읽으세요.

# %%

# %% tags=["solution"] jupyter={"source_hidden": true}
!docker run -d --restart on-failure:3 --name try-on-failure nginx sh -c 'exit 1'
wait_exited(client, "try-on-failure")
!docker inspect --format '{{.RestartCount}}' try-on-failure

# %% [markdown] en="c43b3a4e18"
# 확인합니다. 통과 줄이나, 무엇을 살펴볼지 알려 주는 힌트(hint)가 출력됩니다:

# %%
print(check_restart_exercise(client, "try-on-failure", limit=3))

# %% [markdown] en="55d71c3876"
# ## 정리
# 이 노트북이 만든 컨테이너를 (라벨로 골라) 제거하고, 다음 노트북이 엔진을 쓸 수 있게 합니다:

# %%
cleanup(notebook="05")["kind"].value_counts()

# %% [markdown] en="14eb6b4ca4"
# ## 요약
# - `docker run -d`는 컨테이너를 백그라운드에서 시작하고 그 ID를 출력합니다. `docker ps`는 그
#   STATUS를 보여 줍니다(`Up ...`, `Restarting (exit code) ...`, `-a`를 쓰면 `Exited (exit code) ...`).
# - `docker ps -f id=`는 컨테이너 하나만 가진 ID 앞부분과 일치합니다. 여러 ID가 함께 가진 앞부분이나
#   가운데 조각으로는 아무것도 나오지 않습니다. `-f name=`은 이름의 어느 위치와도 일치하며, 정확히
#   한 이름만 찾으려면 `^name$`처럼 고정합니다.
# - 정책은 스스로 종료한 컨테이너에 작용합니다. `no`는 재시작하지 않고, `on-failure:N`은 0이 아닌
#   코드로 종료하면 최대 N번 재시작하며, `always`와 `unless-stopped`는 계속 재시작합니다. 처음에는
#   100 ms를 기다리고, 기다리는 시간은 매번 두 배가 됩니다.
# - `docker stop`은 정책을 중단시킵니다. `--restart`는 `--rm`과 함께 쓸 수 없습니다.
# - 데몬이 다시 시작되면(임시 엔진에서 관찰) `always`는 모든 컨테이너를, `unless-stopped`는 여러분이
#   정지하지 않은 컨테이너를, `on-failure`는 데몬 종료 때 강제 종료된(종료 코드 137) 컨테이너만
#   시작합니다. 문서는 `on-failure`가 아무 컨테이너도 시작하지 않는다고 말합니다.
#
# ## 다음 단계
# [06 · 포트 게시](06-publishing-ports.ipynb): 호스트에서 nginx에 접속합니다.
#
# ## 참고 자료
# - Docker: [컨테이너 자동 시작(재시작 정책)](https://docs.docker.com/engine/containers/start-containers-automatically/)
# - Docker: [`docker run --restart`](https://docs.docker.com/reference/cli/docker/container/run/#restart)
# - Docker: [`docker ps` 필터링](https://docs.docker.com/reference/cli/docker/container/ls/#filter)
# - Docker Engine API: [RestartPolicy](https://docs.docker.com/reference/api/engine/version/v1.45/#tag/Container/operation/ContainerCreate) (100 ms에서 두 배씩 늘어나는 지연 시간)
# - moby: [#47846, 호스트 리셋 뒤 시작된 on-failure 컨테이너](https://github.com/moby/moby/issues/47846)
