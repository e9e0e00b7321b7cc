# klingcord의 명령어: 이름과 설명 (Discord 명령어 목록에 보이는 글).
#
# How ids are made (bot/discord/command_texts.py): `cmd-` and the command's full name with
# dashes; an option adds `-<option>`; the value is the name, `.description` the description.
# Choices are named by their English name (`cmd-choice-this-period`); the message menu is
# `cmd-menu-<english name>`. The English text lives in cogs/ and is the default.
#
# Discord's rules: names of commands and options are 1-32 characters, lower case where the
# script has case, letters, digits, `-`, `_` and `'` only (no spaces); the message menu's name
# may hold spaces. Descriptions and choice names are 1-100 characters. A name that reads
# better in English (cfg_scale, klingbot) stays English here.

## /video

cmd-video = 비디오
    .description = Kling으로 비디오를 만듭니다

cmd-video-text = 텍스트
    .description = 텍스트로 비디오: 프롬프트로 비디오를 만듭니다
cmd-video-text-prompt = 프롬프트
    .description = 비디오에서 일어날 일을 적어 주세요
cmd-video-text-model = 모델
    .description = 사용할 Kling 모델 (기본값: 서버 설정)
cmd-video-text-mode = 모드
    .description = 표준은 더 빠르고 크레딧이 적게 들며, 프로는 화질이 더 좋습니다
cmd-video-text-duration = 길이
    .description = 비디오 길이(초): 고른 모델이 만들 수 있는 길이가 목록에 나와요
cmd-video-text-aspect_ratio = 화면비
    .description = 비디오의 화면 비율
cmd-video-text-cfg_scale = cfg_scale
    .description = 프롬프트를 얼마나 충실히 따를지 (0~1)
cmd-video-text-negative_prompt = 네거티브-프롬프트
    .description = 비디오에 나오지 않았으면 하는 것
cmd-video-text-camera = 카메라
    .description = 카메라 움직임 (텍스트로 비디오, 지원하는 모델만)

cmd-video-image = 이미지
    .description = 이미지로 비디오: 이미지를 움직이는 비디오로 만듭니다
cmd-video-image-image = 이미지
    .description = 첫 프레임: PNG 또는 JPEG, 가로세로 300px 이상
cmd-video-image-end_image = 마지막-프레임
    .description = 선택 사항: 마지막 프레임 (일부 모델만)
cmd-video-image-prompt = 프롬프트
    .description = 비디오에서 일어날 일
# The options /video text and /video image share read the same in both.
cmd-video-image-model = { cmd-video-text-model }
    .description = { cmd-video-text-model.description }
cmd-video-image-mode = { cmd-video-text-mode }
    .description = { cmd-video-text-mode.description }
cmd-video-image-duration = { cmd-video-text-duration }
    .description = { cmd-video-text-duration.description }
cmd-video-image-cfg_scale = { cmd-video-text-cfg_scale }
    .description = { cmd-video-text-cfg_scale.description }
cmd-video-image-negative_prompt = { cmd-video-text-negative_prompt }
    .description = { cmd-video-text-negative_prompt.description }
cmd-video-image-camera = { cmd-video-text-camera }
    .description = { cmd-video-text-camera.description }

cmd-menu-animate-with-kling = Kling으로 비디오 만들기

## /quota

cmd-quota = 크레딧
    .description = 비디오 크레딧
cmd-quota-me = 확인
    .description = 내 크레딧, 초기화 시각, 진행 중인 작업
cmd-quota-show = 조회
    .description = (관리자) 멤버의 크레딧과 기록
cmd-quota-show-member = 멤버
    .description = 조회할 멤버
cmd-quota-set = 멤버-한도
    .description = (관리자) 멤버 개인 한도
cmd-quota-set-member = 멤버
    .description = 한도를 정할 멤버
cmd-quota-set-credits = 크레딧
    .description = 기간당 크레딧, -1이면 개인 한도를 없앱니다
cmd-quota-set-reason = 사유
    .description = 변경 사유 (감사 로그에 남습니다)
cmd-quota-role = 역할-한도
    .description = (관리자) 역할별 한도
cmd-quota-role-role = 역할
    .description = 한도를 정할 역할
cmd-quota-role-credits = 크레딧
    .description = 기간당 크레딧, -1이면 역할 한도를 없앱니다
cmd-quota-role-reason = 사유
    .description = { cmd-quota-set-reason.description }
cmd-quota-default = 기본-한도
    .description = (관리자) 서버 기본 한도
cmd-quota-default-credits = 크레딧
    .description = 기간당 크레딧, -1이면 봇 기본값을 따릅니다
cmd-quota-grant = 지급
    .description = (관리자) 일회성 보너스 크레딧 지급
cmd-quota-grant-member = 멤버
    .description = 크레딧을 받을 멤버
cmd-quota-grant-credits = 크레딧
    .description = 지급할 크레딧
cmd-quota-grant-reason = 사유
    .description = 지급 사유 (감사 로그에 남습니다)
cmd-quota-block = 차단
    .description = (관리자) 멤버가 비디오를 만들지 못하게 합니다
cmd-quota-block-member = 멤버
    .description = 차단할 멤버
cmd-quota-block-reason = 사유
    .description = 멤버에게 보여 줄 차단 사유
cmd-quota-unblock = 차단-해제
    .description = (관리자) 차단을 풉니다
cmd-quota-unblock-member = 멤버
    .description = 차단을 풀 멤버
cmd-quota-server = 서버-한도
    .description = (관리자) 서버 전체 사용량 상한
cmd-quota-server-credits = 크레딧
    .description = 모두 합친 기간당 크레딧, -1이면 상한을 없앱니다
cmd-quota-usage = 사용량
    .description = (관리자) 크레딧을 가장 많이 쓴 멤버
cmd-quota-usage-period = 기간
    .description = 조회할 기간

## /klingbot

cmd-klingbot = klingbot
    .description = 이 서버의 봇 설정
cmd-klingbot-settings = 설정
    .description = 이 서버의 설정을 보거나 바꿉니다
cmd-klingbot-settings-show = 보기
    .description = 이 서버의 지금 설정
cmd-klingbot-settings-channels = 채널
    .description = 봇이 글을 올리는 곳과 비디오를 만들 수 있는 곳
cmd-klingbot-settings-channels-log_channel = 로그-채널
    .description = 관리자 조치와 알림을 올릴 채널
cmd-klingbot-settings-channels-allowed_channel = 허용-채널
    .description = 비디오를 만들 수 있는 채널 추가 또는 제거
cmd-klingbot-settings-channels-reason = 사유
    .description = { cmd-quota-set-reason.description }
cmd-klingbot-settings-access = 권한
    .description = 관리자로 볼 사람과 확장 버튼을 누를 수 있는 사람
cmd-klingbot-settings-access-moderator_role = 관리자-역할
    .description = 이 역할이 있는 멤버는 관리자로 봅니다
cmd-klingbot-settings-access-extend_access = 확장-권한
    .description = 다른 사람의 비디오에서 확장 버튼을 누를 수 있는 사람
cmd-klingbot-settings-access-reason = 사유
    .description = { cmd-quota-set-reason.description }
cmd-klingbot-settings-defaults = 기본값
    .description = 멤버가 고르지 않았을 때 비디오를 만드는 방식
cmd-klingbot-settings-defaults-default_model = 기본-모델
    .description = 멤버가 고르지 않았을 때 쓸 모델
cmd-klingbot-settings-defaults-default_mode = 기본-모드
    .description = 멤버가 고르지 않았을 때 쓸 모드
cmd-klingbot-settings-defaults-default_duration = 기본-길이
    .description = 멤버가 고르지 않았을 때 쓸 길이
cmd-klingbot-settings-defaults-reason = 사유
    .description = { cmd-quota-set-reason.description }
cmd-klingbot-settings-limits = 제한
    .description = 멤버가 이 서버에서 요청할 수 있는 것
cmd-klingbot-settings-limits-forbid_model = 모델-금지
    .description = 이 서버에서 모델 금지 (고른 멤버에게는 허용되지 않는다고 알려요)
cmd-klingbot-settings-limits-allow_model = 모델-허용
    .description = 금지한 모델을 다시 허용
cmd-klingbot-settings-limits-allow_4k = 4k-허용
    .description = 이 서버에서 멤버가 4K 비디오를 만들 수 있는지
cmd-klingbot-settings-limits-allow_audio = 소리-허용
    .description = 이 서버에서 멤버가 소리가 있는 비디오를 만들 수 있는지
cmd-klingbot-settings-limits-max_duration = 최대-길이
    .description = 멤버가 요청할 수 있는 가장 긴 비디오(초), 0이면 제한을 없앱니다
cmd-klingbot-settings-limits-confirm_above = 확인-금액
    .description = 이보다 많은 크레딧이 드는 작업은 먼저 확인을 받습니다, 0이면 끕니다
cmd-klingbot-settings-limits-reason = 사유
    .description = { cmd-quota-set-reason.description }
cmd-klingbot-settings-review = 검토
    .description = 일부 멤버의 작업을 모더레이터가 승인할 때까지 보류해요
cmd-klingbot-settings-review-review = 검토
    .description = 작업을 로그 채널에서 모더레이터가 승인할 때까지 보류합니다
cmd-klingbot-settings-review-review_days = 검토-기간
    .description = '신규 멤버' 검토: 가입한 지 이 일수가 안 된 멤버
cmd-klingbot-settings-review-review_timeout = 검토-제한시간
    .description = 보류된 작업이 환불되기 전까지 모더레이터를 기다리는 시간(분)
cmd-klingbot-settings-review-trusted_role = 신뢰-역할
    .description = 이 역할이 있는 멤버는 검토 없이 진행됩니다
cmd-klingbot-settings-review-reason = 사유
    .description = { cmd-quota-set-reason.description }
cmd-klingbot-settings-credits = 크레딧
    .description = 크레딧이 초기화되는 시각과 멤버가 줄 수 있는 양
cmd-klingbot-settings-credits-reset_hour = 초기화-시각
    .description = 크레딧이 초기화되는 시각 (UTC 기준, 0~23시)
cmd-klingbot-settings-credits-give_share = 선물-비율
    .description = 멤버가 다른 멤버에게 줄 수 있는 한도의 비율(%) (0: 꺼짐)
cmd-klingbot-settings-credits-reason = 사유
    .description = { cmd-quota-set-reason.description }
cmd-klingbot-settings-language = 언어
    .description = 봇이 이 서버에 올리는 글의 언어
cmd-klingbot-settings-language-language = 언어
    .description = 봇이 서버에 올리는 글의 언어 (auto: 서버의 디스코드 기본 언어)
cmd-klingbot-settings-language-reason = 사유
    .description = { cmd-quota-set-reason.description }
cmd-klingbot-status = 상태
    .description = 봇과 작업의 현재 상태

## Choices

cmd-choice-standard = 표준
cmd-choice-professional = 프로
cmd-choice-4k = 4K
cmd-choice-seconds = { $seconds }초
cmd-choice-this-period = 이번 기간
cmd-choice-previous-period = 지난 기간
cmd-choice-the-requester-and-moderators = 요청한 사람과 관리자
cmd-choice-anyone = 누구나
cmd-choice-down-back = 아래로 내려가며 뒤로
cmd-choice-forward-up = 앞으로 나아가며 위로
cmd-choice-left-turn-forward = 왼쪽으로 돌며 앞으로
cmd-choice-right-turn-forward = 오른쪽으로 돌며 앞으로
cmd-choice-pan-left = 왼쪽으로 팬
cmd-choice-pan-right = 오른쪽으로 팬
cmd-choice-tilt-up = 위로 틸트
cmd-choice-tilt-down = 아래로 틸트
cmd-choice-zoom-in = 줌 인
cmd-choice-zoom-out = 줌 아웃
cmd-choice-move-left = 왼쪽으로 이동
cmd-choice-move-right = 오른쪽으로 이동
cmd-choice-move-up = 위로 이동
cmd-choice-move-down = 아래로 이동
cmd-choice-roll-left = 왼쪽으로 롤
cmd-choice-roll-right = 오른쪽으로 롤

cmd-choice-auto-the-server-s-discord-language = 자동 (서버의 디스코드 언어)

## -- Community moderation (issue 14) --

cmd-choice-no-review = 검토 안 함
cmd-choice-new-members = 신규 멤버
cmd-choice-members-without-the-trusted-role = 신뢰 역할이 없는 멤버

cmd-klingbot-filter = 필터
    .description = 프롬프트에서 허용하지 않는 단어
cmd-klingbot-filter-add = 추가
    .description = 단어(또는 패턴)가 들어간 프롬프트를 거절합니다
cmd-klingbot-filter-add-word = 단어
    .description = 단어나 구절; regex를 켜면 정규식
cmd-klingbot-filter-add-regex = regex
    .description = 단어를 정규식으로 다룹니다
cmd-klingbot-filter-remove = 삭제
    .description = 단어나 패턴을 더 이상 거절하지 않습니다
cmd-klingbot-filter-remove-word = 단어
    .description = 추가할 때 적은 그대로의 단어나 패턴
cmd-klingbot-filter-list = 목록
    .description = 프롬프트에서 거절하는 단어와 패턴

cmd-klingbot-rewards = 보상
    .description = 사랑받은 비디오에 보너스 크레딧
cmd-klingbot-rewards-emoji = 이모지
    .description = 보상으로 세는 반응
cmd-klingbot-rewards-credits = 크레딧
    .description = 작성자가 받는 크레딧 (0: 꺼짐)
cmd-klingbot-rewards-voters = 인원
    .description = 반응해야 하는 서로 다른 멤버 수
cmd-klingbot-rewards-max_per_period = 기간당-최대
    .description = 한 멤버가 기간마다 받을 수 있는 최대 보상 횟수

cmd-quota-give = 선물
    .description = 내 크레딧 일부를 다른 멤버에게 줍니다
cmd-quota-give-member = 멤버
    .description = 받을 사람
cmd-quota-give-credits = 크레딧
    .description = 줄 크레딧 수

## Issue 12, the options of /video (i12-options): sound and loop.
cmd-video-text-audio = 소리
    .description = 비디오와 함께 만드는 소리와 말소리 (일부 모델, 크레딧이 더 들어요)
cmd-video-image-audio = { cmd-video-text-audio }
    .description = { cmd-video-text-audio.description }
cmd-video-image-loop = 반복
    .description = 시작 이미지로 끝나서 반복되는 비디오 (끝 프레임을 지원하는 모델)
# Issue 13 (i13-extras): /video history, /video notify, the spoiler option.
cmd-video-text-spoiler = 스포일러
    .description = 클릭하기 전까지 가려지는 스포일러로 비디오를 올립니다
cmd-video-image-spoiler = { cmd-video-text-spoiler }
    .description = { cmd-video-text-spoiler.description }
cmd-video-history = 기록
    .description = 내 최근 비디오 25개 (최신순)
cmd-video-notify = 알림
    .description = 비디오가 완성되면 개인 메시지로 알려 드립니다
cmd-video-notify-setting = 설정
    .description = 켜기: 개인 메시지를 받습니다; 끄기: 받지 않습니다
cmd-choice-on = 켜기
cmd-choice-off = 끄기
## /video omni, /video story, "Use as reference" (issue 12: omni and stories)

cmd-video-omni = 옴니
    .description = 참조 이미지 최대 7장과 비디오로 만드는 비디오: 프롬프트에서 <<<image_1>>>처럼 불러요
cmd-video-omni-prompt = 프롬프트
    .description = 일어날 일: 이미지는 <<<image_1>>>처럼 불러요 (부르지 않으면 전부 순서대로)
cmd-video-omni-image1 = 이미지1
    .description = 참조 이미지 <<<image_1>>> (참조로 쓰기로 모아 둔 이미지가 있으면 생략 가능)
cmd-video-omni-image2 = 이미지2
    .description = 참조 이미지 <<<image_2>>>
cmd-video-omni-image3 = 이미지3
    .description = 참조 이미지 <<<image_3>>>
cmd-video-omni-image4 = 이미지4
    .description = 참조 이미지 <<<image_4>>>
cmd-video-omni-image5 = 이미지5
    .description = 참조 이미지 <<<image_5>>>
cmd-video-omni-image6 = 이미지6
    .description = 참조 이미지 <<<image_6>>>
cmd-video-omni-image7 = 이미지7
    .description = 참조 이미지 <<<image_7>>>
cmd-video-omni-video = 비디오
    .description = 참조 비디오: MP4 또는 MOV, 최대 200MB (이때 이미지는 최대 4장)
cmd-video-omni-video_use = 비디오-용도
    .description = 비디오의 스타일과 움직임을 따르기(기본값), 또는 비디오 자체를 편집하기
cmd-video-omni-keep_sound = 원래-소리-유지
    .description = 비디오의 원래 소리 유지 (기본값: 편집할 때만)
cmd-video-omni-model = 모델
    .description = 사용할 옴니 모델 (기본값: 서버 설정이 옴니 모델이면 그것, 아니면 첫 번째)
cmd-video-omni-mode = { cmd-video-text-mode }
    .description = { cmd-video-text-mode.description }
cmd-video-omni-duration = { cmd-video-text-duration }
    .description = { cmd-video-text-duration.description }

cmd-video-story = 스토리
    .description = 여러 샷으로 된 비디오: 한 줄에 한 샷씩 적어요. 예: 3s: 여우가 잠에서 깨요
cmd-video-story-model = 모델
    .description = 사용할 모델 (여러 샷 비디오를 만들 수 있는 모델)
cmd-video-story-mode = { cmd-video-text-mode }
    .description = { cmd-video-text-mode.description }
cmd-video-story-duration = 길이
    .description = 비디오 길이(초) (기본값: 샷 길이의 합, 없으면 5초)

cmd-choice-follow-its-style-and-motion-feature = 스타일과 움직임 따르기 (feature)
cmd-choice-edit-this-video-base = 이 비디오 편집하기 (base)
cmd-menu-use-as-reference = 참조로 쓰기
cmd-video-omni-aspect_ratio = { cmd-video-text-aspect_ratio }
    .description = { cmd-video-text-aspect_ratio.description }
cmd-video-story-aspect_ratio = { cmd-video-text-aspect_ratio }
    .description = { cmd-video-text-aspect_ratio.description }
## Sound and spoiler on /video omni and /video story (lead)
cmd-video-omni-audio = { cmd-video-text-audio }
    .description = 비디오와 함께 만드는 소리 (kling-v3-omni, 참조 비디오가 없을 때)
cmd-video-omni-spoiler = { cmd-video-text-spoiler }
    .description = { cmd-video-text-spoiler.description }
cmd-video-story-audio = { cmd-video-text-audio }
    .description = { cmd-video-text-audio.description }
cmd-video-story-spoiler = { cmd-video-text-spoiler }
    .description = { cmd-video-text-spoiler.description }





