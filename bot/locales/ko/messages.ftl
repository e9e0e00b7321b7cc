# klingcord의 한국어 메시지 (Korean).
# Message ids and placeables are those of en/messages.ftl; tests/bot/discord/test_catalogues.py
# checks that both files hold the same messages with the same variables.
# Style: 해요체 throughout; counters after the number ("크레딧 2개", "작업 2건", "5초"). Korean
# has only the CLDR plural category `other`, so no message needs a selector. A particle after a
# placeable would depend on the value's last sound, so a noun (모델, 파일, 이미지) comes first.
# Terms: 텍스트로 비디오, 이미지로 비디오, 비디오 확장, 크레딧, 표준 / 프로 모드, 대기열, 스레드,
# 관리자 (a server's moderators), 운영자 (whoever runs the bot).

## The language's own name (the choices of /klingbot settings language)

language-name = 한국어

## Option errors

invalid-unknown_model = `{ $model }` 모델을 찾을 수 없어요. 사용할 수 있는 모델: { $allowed }.
invalid-mode = `{ $model }` 모델은 `{ $mode }` 모드를 지원하지 않아요. 사용할 수 있는 모드: { $allowed }.
invalid-mode_single = `{ $model }` 모델은 모드가 하나뿐이에요. 모드(`mode`)는 비워 두세요.
invalid-duration = `{ $model }` 모델로는 { $duration }초 비디오를 만들 수 없어요. 만들 수 있는 길이: { $allowed }초.
invalid-duration_range = `{ $model }` 모델로는 { $duration }초 비디오를 만들 수 없어요. 만들 수 있는 길이: { $min }~{ $max }초.
invalid-prompt_missing = 텍스트로 비디오를 만들려면 프롬프트가 필요해요.
invalid-prompt_long = 프롬프트가 { $length }자예요. 최대 { $limit }자까지 쓸 수 있어요.
invalid-negative_long = 네거티브 프롬프트가 { $length }자예요. 최대 { $limit }자까지 쓸 수 있어요.
invalid-negative_unsupported = `{ $model }` 모델은 네거티브 프롬프트를 지원하지 않아요.
invalid-negative_extend = 비디오 확장에는 네거티브 프롬프트를 쓸 수 없어요.
invalid-cfg_range = `cfg_scale` 값은 0에서 1 사이여야 해요. 입력한 값: { $value }
invalid-cfg_unsupported = `{ $model }` 모델은 `cfg_scale` 옵션을 지원하지 않아요.
invalid-cfg_extend = 비디오 확장에는 `cfg_scale` 옵션을 쓸 수 없어요.
invalid-aspect_ratio = `{ $value }` 비율은 쓸 수 없어요. 화면 비율은 { $allowed } 중에서 골라 주세요.
invalid-aspect_ratio_image = 이미지로 비디오는 이미지의 비율을 그대로 따라요. 화면 비율(`aspect_ratio`)은 비워 두세요.
invalid-start_image_missing = 이미지로 비디오를 만들려면 시작 이미지가 필요해요.
invalid-image2video_unsupported = `{ $model }` 모델은 이미지로 비디오를 지원하지 않아요. 이 모델을 사용해 보세요: { $allowed }
invalid-end_image_text = 끝 프레임을 쓰려면 시작 이미지가 필요해요. 이미지로 비디오를 사용해 주세요.
invalid-end_image_unsupported = `{ $model }` 모델은 끝 프레임을 지원하지 않아요. 지원하는 모델: { $allowed }.
invalid-end_image_pro = `{ $model }` 모델은 프로 모드(`pro`)에서만 끝 프레임을 쓸 수 있어요.
invalid-end_image_duration = 끝 프레임을 쓸 때는 비디오 길이가 5초여야 해요.
invalid-camera_unsupported = `{ $model }` 모델은 카메라 컨트롤을 지원하지 않아요. 지원하는 모델: { $allowed }.
invalid-camera_image = 이미지로 비디오에는 카메라 컨트롤을 쓸 수 없어요.
invalid-camera_duration = `{ $model }` 모델의 카메라 컨트롤은 5초 비디오에서만 쓸 수 있어요.
invalid-camera_unknown = 알 수 없는 카메라 움직임이에요: `{ $value }`. 사용할 수 있는 움직임: { $allowed }.
invalid-camera_4k = `{ $model }` 모델의 카메라 컨트롤은 `4k` 모드에서 쓸 수 없어요. `std`나 `pro` 모드를 골라 주세요.
invalid-extend_unsupported = `{ $model }` 모델로 만든 비디오는 확장할 수 없어요. 확장할 수 있는 모델: { $allowed }.
invalid-extend_missing_video = 비디오를 확장하려면 이어 갈 비디오가 필요해요.
invalid-omni_only = 이미지·비디오 목록은 옴니 모델({ $allowed })에서만 쓸 수 있어요.
invalid-omni_images = 옴니 작업에는 이미지를 1~7개 넣을 수 있어요. 지금은 { $count }개예요.
invalid-omni_4k = `{ $model }` 모델은 `4k` 모드에서 참조 이미지를 쓸 수 없어요. `std`나 `pro` 모드를 골라 주세요.
invalid-audio_unsupported = `{ $model }` 모델은 소리를 만들지 않아요. 소리를 만드는 모델: { $allowed }.
invalid-audio_pro = `{ $model }` 모델에서 소리를 만들려면 `pro` 모드가 필요해요.
invalid-audio_always = `{ $model }` 모델은 항상 소리를 만들어요. 끌 수 없어요.

## Images

image-type = `{ $name }` 파일은 { $kind } 형식이에요. Kling은 PNG 또는 JPEG 이미지만 받아요.
image-type_unknown = `{ $name }` 파일은 형식을 알 수 없어요. Kling은 PNG 또는 JPEG 이미지만 받아요.
image-size = `{ $name }` 파일은 { NUMBER($size, maximumFractionDigits: 1) } MB예요. 이미지는 최대 { $limit } MB까지 올릴 수 있어요.
image-unreadable = `{ $name }` 파일을 이미지로 읽을 수 없어요.
image-small = `{ $name }` 이미지는 { $width }×{ $height } px예요. 가로와 세로가 모두 { $minimum } px 이상이어야 해요.
image-ratio = `{ $name }` 이미지는 { $width }×{ $height } px예요. 가로세로 비율은 1:2.5에서 2.5:1 사이여야 해요.
image-none_in_message = 이 메시지에는 비디오로 만들 PNG 또는 JPEG 이미지가 없어요.

## Credits and the service

quota-exceeded = 이 작업에는 크레딧 { $cost }개가 필요한데, 남은 크레딧은 { $limit }개 중 { $remaining }개예요. 크레딧은 { $reset } 초기화돼요.
quota-blocked = 이 서버에서 비디오 만들기가 차단됐어요. 사유: { $reason }
quota-server_cap = 이 서버는 이번 기간의 크레딧 { $cap }개를 모두 썼어요. 크레딧은 { $reset } 초기화돼요.
kling-paused = 봇의 Kling 잔액이 모두 소진되어 새 비디오 만들기가 일시 중지됐어요. 서버 관리자에게 알렸어요.
kling-unavailable = 지금은 비디오 서비스에 연결할 수 없어요. 크레딧은 차감되지 않았어요. 몇 분 뒤에 다시 시도해 주세요.

## The status card

card-title-text2video = 텍스트로 비디오
card-title-image2video = 이미지로 비디오
card-title-extend = 비디오 확장
card-requester = 요청자: <@{ $user_id }>
card-settings = { $model } · { $mode } · { $duration }초 · 크레딧 { $cost }개
card-credits_left = 이번 기간 남은 크레딧 { $left }개
card-state-queued = ⏳ 대기열 { $position }번째예요.
card-state-queued_first = ⏳ 대기 중: 곧 시작해요.
card-state-queued_beyond = ⏳ 대기열 { $position }번째보다 뒤에 있어요.
card-state-reserved = ⏳ Kling에 보내는 중…
card-state-submitted = 🎬 <t:{ $since }:R>부터 만드는 중이에요. 보통 <t:{ $eta }:R> 완성돼요.
card-state-unconfirmed = 🎬 Kling에 보냈어요. 응답을 기다리는 중이에요.
card-state-succeeded = 📦 완성됐어요. 비디오를 올리는 중…
card-state-delivered = ✅ 완성: { $link }
card-state-failed = ❌ { $reason }
card-no_thread = 여기서는 스레드를 만들 수 없어서 결과를 이 채널에 올릴게요.
card-refunded = 크레딧 { $cost }개를 환불했어요.

## The result

result-ready = <@{ $user_id }> 님, 비디오가 완성됐어요.
result-link_too_large = 파일이 이 서버의 업로드 한도({ $limit } MB)보다 커서 링크로 보내 드려요.
result-link_refused = Discord가 업로드를 거부해서 링크로 보내 드려요.
result-link_download = 업로드할 파일을 가져오지 못해서 링크로 보내 드려요.
result-failed = <@{ $user_id }> 님, 비디오를 만들지 못했어요. { $reason } { $refund }
result-open = 비디오 열기
result-footer = 작업 { $job_id }
result-late = ⏰ 늦게 도착한 비디오예요. 작업이 중단되고 환불된 뒤에 도착해서 무료예요. 크레딧은 차감되지 않아요.

## Buttons and modals

button-extend = 확장
button-cancel = 취소
cancel-done = 취소했어요. 크레딧 { $cost }개를 환불했어요.
button-extend_prompt = 새 프롬프트로 확장…
modal-extend-title = 비디오 확장
modal-prompt-label = 프롬프트
modal-prompt-placeholder = 다음에 어떤 장면이 이어지나요?
modal-animate-title = Kling으로 비디오 만들기
modal-animate-placeholder = 어떻게 움직일지 적어 주세요 (선택)
access-not_yours = 이 비디오를 요청한 사람이나 관리자만 확장할 수 있어요.
access-gone = 봇이 더 이상 이 비디오를 찾을 수 없어요.
access-not_ready = 이 비디오는 아직 완성되지 않았어요.
access-removed = 모더레이터가 삭제한 비디오라서 확장하거나 이어 만들거나 합치거나 다시 올릴 수 없어요.
ack-started = 비디오를 만들기 시작했어요: { $link }
ack-failed = 요청을 처리하지 못했어요: { $reason }

## Command errors

error-unknown = 죄송해요, 봇에서 문제가 생겼어요 (오류 `{ $error_id }`).
command-cooldown = 명령어를 너무 자주 쓰고 있어요. { $when } 다시 시도해 주세요.
command-bot_missing = 이 작업을 하려면 이 채널에서 봇에게 { $permissions } 권한이 필요해요.
command-missing = 이 명령어를 쓰려면 { $permissions } 권한이 필요해요.
command-missing_role = 이 명령어에 필요한 역할이 없어요.
command-not_allowed = 여기서는 이 명령어를 쓸 수 없어요.
command-not_a_member = 이 서버의 멤버가 아닌 사용자예요.
command-bad_channel = 이 작업에는 그 채널을 쓸 수 없어요.
command-bad_value = 이 옵션에 `{ $value }` 값은 쓸 수 없어요.

## /quota

quota-me =
    크레딧 { $limit }개 중 **{ $remaining }개** 남았어요 ({ $source }). 크레딧은 { $reset } 초기화돼요.
    진행 중 { $running }건 · 대기 중 { $queued }건
quota-me_blocked = 이 서버에서 비디오 만들기가 차단됐어요. 사유: { $reason }
quota-source-member = 개별 한도
quota-source-role = 역할 한도
quota-source-server = 서버 기본 한도
quota-source-bot = 봇 기본 한도
quota-show = <@{ $user_id }> 님은 크레딧 { $limit }개 중 **{ $remaining }개** 남았어요 ({ $source }). 이번 기간에 { $spent }개를 썼고, { $reset } 초기화돼요. 진행 중 { $running }건 · 대기 중 { $queued }건
quota-show_blocked = <@{ $by }> 님이 <t:{ $at }:R>에 차단했어요. 사유: { $reason }
quota-history_title = 최근 관리자 조치:
quota-history_none = 이 멤버에 대한 관리자 조치 기록이 없어요.
quota-usage_title = { $start } ~ { $end } 크레딧 사용 내역:
quota-usage_line = { $rank }. <@{ $user_id }>: 크레딧 { $credits }개 · 작업 { $jobs }건
quota-usage_none = 이 기간에 크레딧을 쓴 사람이 없어요.

## Moderators and settings

mod-only = 관리자(서버 관리하기 권한이 있거나 서버의 관리자 역할이 있는 멤버)만 할 수 있어요.
mod-guild_only = 서버에서만 쓸 수 있어요.
dm-refused = 비디오는 서버에서만 만들 수 있어요. 서버마다 관리자와 한도가 따로 있거든요. 서버 채널에서 명령어를 써 주세요.
mod-done = 완료했어요. { $summary }
audit-line = 🛡️ <@{ $actor }> { $action }{ $target }: { $old } → { $new }{ $reason }
settings-current =
    현재 설정:
    { $lines }
settings-not_allowed_here = 비디오는 이 채널에서만 만들 수 있어요: { $channels }.
status-line = 작업: { $counts }. Kling: { $kling }. 마지막 상태 확인: <t:{ $tick }:R>.

## Why a job failed

failed-kling = Kling이 이 비디오를 만들지 못했어요: { $reason }
failed-kling_unexplained = Kling이 이 비디오를 만들지 못했어요: 알 수 없는 오류
failed-rejected = Kling이 요청을 거부했어요: { $reason }
failed-content_refused = Kling이 이 콘텐츠를 거부했어요: { $reason }
failed-content_refused_unexplained = Kling이 이 콘텐츠를 거부했어요.
failed-misconfigured = 봇 설정에 문제가 있어요 (Kling 토큰이 거부됐어요). 운영자에게 알렸어요.
failed-misconfigured_base = 봇 설정에 문제가 있어요 (Kling API 주소가 잘못됐어요). 운영자에게 알렸어요.
failed-used_up = 봇의 Kling 잔액이 모두 소진됐어요. 관리자에게 알렸어요.
failed-server_error = Kling 내부 오류로 비디오 만들기를 시작하지 못했어요.
failed-unconfirmed = Kling이 작업 접수를 확인해 주지 않았고 추적할 수도 없어서 취소했어요.
failed-deadline = Kling이 { $span } 안에 완성하지 못해서 작업을 중단했어요.
failed-lost = Kling에서 이 작업의 기록이 사라졌어요.
failed-cancelled = <@{ $user_id }> 님이 취소했어요.
failed-queue_deadline = 대기열에서 { $span } 넘게 빈자리가 나지 않아 Kling에 보내지 못하고 종료했어요.
cancel-not_yours = 이 비디오를 요청한 사람이나 관리자만 취소할 수 있어요.
cancel-too_late = 이미 시작된 작업이라 취소할 수 없어요.
failed-undeliverable = 비디오는 완성됐지만 여기에 올리지 못했어요.
failed-unsafe_video = Kling 결과물이 봇이 가져올 수 없는 주소에 있어서 올릴 수 없어요. 봇 운영자에게 알렸어요.
failed-cannot_post = { $reason } 크레딧은 차감되지 않았어요.
post-forbidden = 이 채널에 글을 올릴 수 없어요. 여기서 채널 보기, 메시지 보내기, 링크 첨부, 파일 첨부 권한이 필요해요.
failed-refunded = 크레딧 { $cost }개를 환불했어요.

## Alerts to the log channel

alert-default_model_removed = 이 서버의 기본 모델(`{ $model }`)을 봇에서 더 이상 제공하지 않아서 지금은 `{ $fallback }` 모델로 비디오를 만들어요. `/klingbot settings defaults default_model`(`/klingbot 설정 기본값 기본-모델`)로 다른 기본 모델을 골라 주세요.
alert-used_up = Kling이 봇의 잔액이 소진됐다고 응답했어요. 운영자가 충전할 때까지 새 비디오 작업을 15분씩 일시 중지해요.

## Lengths of time

span-second = { $count }초
span-minute = { $count }분
span-hour = { $count }시간

## 다른 메시지 안에 들어가는 말

list-none = 없음
list-or = { " 또는 " }
card-single_mode = 단일 모드
card-see_thread = 스레드를 확인하세요
result-length = 길이 { NUMBER($seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) }초
settings-all_channels = 모든 채널
status-kling_paused = 일시 중지 (잔액 소진)
status-kling_accepting = 작업 받는 중
status-simulated = 시뮬레이션 Kling: 봇이 만드는 테스트 비디오
audit-action = { $action ->
        [set_member_limit] 멤버 한도 변경
        [set_role_limit] 역할 한도 변경
        [grant] 크레딧 지급
        [block] 차단
        [unblock] 차단 해제
        [set_log_channel_id] 로그 채널 변경
        [set_moderator_role_id] 관리자 역할 변경
        [set_extend_access] 확장 권한 변경
        [set_allowed_channel_ids] 허용 채널 변경
        [set_default_model] 기본 모델 변경
        [set_default_mode] 기본 모드 변경
        [set_default_duration] 기본 길이 변경
        [set_reset_hour_utc] 초기화 시각 변경
        [set_default_credits] 서버 기본 한도 변경
        [set_server_cap] 서버 전체 한도 변경
        [set_language] 언어 변경
        [set_forbidden_models] 금지 모델 변경
        [set_allow_4k] `4k` 허용 변경
        [set_allow_audio] 소리 허용 변경
        [set_max_duration] 최대 길이 변경
        [set_confirm_above] 확인 금액 변경
       *[other] { $action }
    }
audit-value = { $value ->
        [blocked] 차단됨
        [not_blocked] 차단 안 됨
       *[other] { $value }
    }
# 디스코드 설정 화면에 보이는 권한 이름 (그 밖의 권한은 API 이름 그대로)
permission-name = { $permission ->
        [view_channel] 채널 보기
        [send_messages] 메시지 보내기
        [send_messages_in_threads] 스레드에서 메시지 보내기
        [create_public_threads] 공개 스레드 만들기
        [embed_links] 링크 첨부
        [attach_files] 파일 첨부
        [read_message_history] 메시지 기록 보기
        [manage_guild] 서버 관리하기
        [manage_messages] 메시지 관리
        [manage_roles] 역할 관리하기
        [manage_channels] 채널 관리하기
        [administrator] 관리자
        [add_reactions] 반응 추가하기
        [use_application_commands] 애플리케이션 명령어 사용하기
       *[other] { $fallback }
    }

## -- Community moderation (issue 14): prompt filters, review mode, reports, gifts, rewards --

filter-refused = { $field ->
        [negative_prompt] 네거티브 프롬프트에
       *[other] 프롬프트에
    } { $kind ->
        [pattern] 이 서버의 규칙 { $rule }에 걸리는 내용이
       *[other] 이 서버에서 허용하지 않는 “{ $rule }”이(가)
    } 들어 있습니다. 비디오를 만들지 않았고 크레딧도 차감하지 않았습니다.
filter-word_long = 필터 단어는 1~{ $limit }자여야 합니다.
filter-regex_long = 필터 패턴은 1~{ $limit }자여야 합니다.
filter-regex_invalid = 올바른 정규식이 아닙니다: { $error }
filter-regex_unsafe = 이 패턴은 프롬프트 검사를 매우 느리게 만들 수 있습니다(반복 안의 반복, 반복 안의 선택지, 역참조). 더 단순하게 적어 주세요.
filter-regex_slow = 이 패턴은 너무 느립니다: 긴 프롬프트를 이 패턴으로 검사하면 시간이 너무 오래 걸립니다(`\w+\w+\d`처럼 나란히 놓인 반복은 긴 단어를 나누는 모든 방법을 시도합니다). 더 단순하게 적어 주세요.
filter-too_many = 이 서버에는 이미 프롬프트 필터가 최대 개수인 { $limit }개 있습니다.
filter-exists = “{ $rule }” 필터가 이미 있습니다.
filter-unknown = “{ $rule }” 필터가 없습니다.
filter-list_title = 프롬프트에서 허용하지 않는 단어와 패턴:
filter-none = 이 서버에는 프롬프트 필터가 없습니다.
settings-review_needs_log = 검토 모드는 로그 채널에서 모더레이터에게 물어요. 먼저 `/klingbot 설정 채널 로그-채널`로 로그 채널을 정해 주세요. 아무것도 바꾸지 않았어요.
settings-unknown_key = `{ $keys }`(이)라는 설정은 없어요. 설정 목록: { $allowed }. 아무것도 바꾸지 않았어요.
settings-bad_value = `{ $setting }`에는 `{ $value }` 값을 쓸 수 없어요. 아무것도 바꾸지 않았어요.

card-state-review = 🛡️ 모더레이터의 검토를 기다리는 중입니다. 그때까지 크레딧은 보류됩니다.
ack-review = 비디오가 모더레이터의 검토를 기다립니다: { $link }. 그동안 크레딧은 보류되며, 승인되지 않으면 환불됩니다.
review-title = 검토 요청
review-member = 요청자 <@{ $user_id }> · { $cost }크레딧
review-negative = 네거티브 프롬프트: { $text }
review-images = 이미지: { $links }
review-approved = ✅ <@{ $actor }> 님이 승인했습니다.
review-rejected = ❌ <@{ $actor }> 님이 거절했습니다: { $reason }
review-timed_out = ⌛ 시간 안에 결정한 모더레이터가 없어 크레딧을 환불했습니다.
review-cancelled = 멤버가 이 작업을 취소했습니다.
review-decided = 이 작업은 더 이상 검토를 기다리지 않습니다.
review-done_approved = 승인했습니다. 비디오를 만들기 시작합니다.
review-done_rejected = 거절했습니다. 멤버에게 이유를 알리고 환불했습니다.
button-approve = 승인
button-reject = 거절
button-report = 신고
button-report_remove = 비디오 삭제
button-report_block = 요청자 차단
button-report_dismiss = 기각
modal-reject-title = 이 비디오 거절
modal-reason-label = 사유
modal-report-title = 이 비디오 신고
modal-report-label = 무엇이 문제인가요?
modal-block-title = 요청자 차단
failed-review_rejected = 모더레이터가 이 비디오를 거절했습니다: { $reason }
failed-review_timeout = { $span } 안에 이 비디오를 검토한 모더레이터가 없습니다.

report-title = 신고
report-details = 비디오 작성자 <@{ $requester }> · 신고자 <@{ $reporter }>
report-reason = 사유: { $reason }
report-link = 결과: { $link }
report-sent = 감사합니다. 모더레이터가 확인할 것입니다.
report-already = 이미 이 비디오를 신고했습니다.
report-own = 자신의 비디오는 신고할 수 없습니다.
report-not_ready = 아직 신고할 비디오가 없습니다.
report-decided = 이 신고는 이미 다른 모더레이터가 처리했습니다.
report-removed = 🗑️ <@{ $actor }> 님이 비디오를 삭제했습니다.
report-blocked = ⛔ <@{ $actor }> 님이 <@{ $requester }> 님을 차단했습니다: { $reason }
report-dismissed = <@{ $actor }> 님이 기각했습니다.
report-removed_notice = 🗑️ 모더레이터가 이 비디오를 삭제했습니다.
report-done = 처리했습니다.
report-remove_done = 처리했습니다. 메시지 { $deleted }개를 삭제했습니다{ $stories ->
        [0] {""}
       *[other] (이 비디오가 들어간 합친 이야기 { $stories }개 포함)
    }{ $gone ->
        [0] {""}
       *[other] . { $gone }개는 이미 없었습니다
    }. 다시 올라가지 않습니다.
report-remove_failed = 비디오를 삭제하지 못했습니다. Discord가 거부했습니다({ $status }). 신고는 열린 채로 남습니다. 삭제를 다시 누르거나, 메시지를 직접 지운 뒤 삭제를 누르세요. 그동안에도 이 비디오는 다시 올라가지 않습니다.

gift-off = 이 서버에서는 크레딧 선물이 꺼져 있습니다.
gift-self = 자신에게는 크레딧을 선물할 수 없습니다.
gift-blocked = 이 서버에서 크레딧 사용이 차단되어 있습니다.
gift-to_bot = 봇은 크레딧을 쓸 수 없습니다. 아무것도 선물하지 않았습니다.
gift-to_blocked = 그 멤버는 이 서버에서 크레딧 사용이 차단되어 있습니다. 아무것도 선물하지 않았습니다.
gift-remaining = 이번 기간에 남은 크레딧이 { $remaining }뿐입니다.
gift-share = 이번 기간에는 최대 { $left }크레딧을 더 선물할 수 있습니다(한도의 { $share }%).
gift-done = <@{ $user_id }> 님에게 { $credits }크레딧을 선물했습니다.
reward-paid = 🎉 <@{ $user_id }> 님이 보너스 { $credits }크레딧을 받았습니다: 멤버 { $voters }명이 이 비디오를 좋아했습니다.
rewards-state = 반응 보상: { $emoji } · 멤버 { $voters }명이 반응하면 { $credits }크레딧 · 멤버당 기간마다 최대 { $max }번 (0크레딧: 꺼짐).
audit-community_action = { $action ->
        [filter_add] 프롬프트 필터 추가
        [filter_remove] 프롬프트 필터 삭제
        [review_approve] 비디오 승인
        [review_reject] 비디오 거절
        [report_removed] 신고된 비디오 삭제
        [report_blocked] 신고 후 차단
        [report_dismissed] 신고 기각
        [gift] 크레딧 선물
        [set_review] 검토 모드 설정
        [set_review_new_member_days] 검토 대상 신규 멤버 기간 설정
        [set_review_timeout_minutes] 검토 제한 시간 설정
        [set_trusted_role_id] 신뢰 역할 설정
        [set_give_share] 선물 비율 설정
        [set_reward_emoji] 보상 이모지 설정
        [set_reward_credits] 보상 크레딧 설정
        [set_reward_voters] 보상 인원 설정
        [set_reward_max_per_period] 기간당 최대 보상 설정
       *[other] { $action }
    }
card-review_approved = 🛡️ 모더레이터가 승인했습니다.

## Issue 12, the options of /video (i12-options): sound, loop, lengths, Extend's length and age.
invalid-loop_image = 반복 비디오를 만들려면 시작 이미지가 필요해요. `/video image`를 사용해 주세요.
invalid-loop_end_image = 반복 비디오는 시작 이미지로 끝나서 `end_image`를 함께 쓸 수 없어요. `loop`와 `end_image` 중 하나만 골라 주세요.
invalid-loop_unsupported = `{ $model }` 모델은 끝 프레임을 지원하지 않아서 반복 비디오를 만들 수 없어요. 만들 수 있는 모델: { $allowed }.
invalid-loop_pro = `{ $model }` 모델로 반복 비디오를 만들려면 `pro` 모드가 필요해요. 이 모델은 프로 모드에서만 끝 프레임을 쓸 수 있어요.
invalid-loop_duration = 이 모델로 만드는 반복 비디오는 길이가 5초여야 해요.
invalid-extend_duration = `{ $model }` 모델은 비디오를 { $allowed }초만큼 늘릴 수 있어요. { $duration }초는 안 돼요.
invalid-extend_too_old = Kling은 최근 { $days }일 안에 만든 비디오만 늘릴 수 있는데, 이 비디오는 그보다 오래됐어요. 크레딧은 쓰이지 않았어요.
invalid-extend_length_not_number = 길이는 초 단위 숫자로 적어 주세요: { $allowed }.
card-sound = 소리 포함
modal-extend-length-label = 길이(초): { $allowed }
## Issue 13 (i13-extras): /video history, /video notify, 스포일러, 시뮬레이션 Kling.
history-title = { $count ->
    [0] 최근 비디오
   *[other] 최근 비디오 { $count }개
}
history-whose = <@{ $user_id }> 님의 비디오 (최신순):
history-none = 아직 비디오가 없어요.
history-line = { $created } { $state } · { $prompt } · `{ $model }` · 크레딧 { $cost }개{ $link }
history-open = [열기]({ $link })
history-page = { $pages }쪽 중 { $page }쪽
history-previous = 이전
history-next = 다음
history-not_yours = 이 목록을 요청한 사람만 쪽을 넘길 수 있어요.
history-state-queued = ⏳ 대기 중
history-state-reserved = ⏳ 시작 중
history-state-submitted = 🎬 만드는 중
history-state-succeeded = 📤 올리는 중
history-state-delivered = ✅ 완성
history-state-review = 🔎 검토 대기 중
history-state-failed = ❌ 실패, 환불됨
history-removed = 🗑️ 모더레이터가 삭제함
quota-jobs_title = 이 멤버의 최근 비디오는 아래에 있어요.
notify-on = 비디오가 완성되면(또는 실패하면) 개인 메시지를 보내 드릴게요. 봇의 개인 메시지를 막아 두셨다면 메시지는 가지 않아요.
notify-off = 이제 비디오에 대한 개인 메시지를 보내지 않을게요.
dm-ready = 비디오가 완성됐어요: { $link }
    프롬프트: { $prompt }
dm-failed = 비디오를 만들지 못했어요: { $reason } 크레딧은 차감되지 않았어요. { $link }
    프롬프트: { $prompt }
card-simulated = 시뮬레이션 Kling (`KLING_API_BASE=simulated`): Kling이 아니라 봇이 만든 테스트 비디오예요.
## Issue 12: /video omni, /video story, "참조로 쓰기"
invalid-omni_images_with_video = 참조 비디오가 있으면 옴니 작업에는 이미지를 최대 { $limit }개 넣을 수 있어요. 지금은 { $count }개예요.
invalid-omni_citation = 프롬프트가 `{ $cited }`를 부르지만 이 작업의 이미지는 { $count }개예요. `<<<image_1>>>`부터 `<<<image_{ $count }>>>`까지만 불러 주세요.
invalid-omni_video_audio = `{ $model }` 모델은 참조 비디오가 있으면 소리를 만들지 않아요. 비디오 소리를 살리려면 `원래-소리-유지`를 쓰세요.
invalid-story_unsupported = `{ $model }` 모델은 여러 샷 비디오를 만들 수 없어요. 만들 수 있는 모델: { $allowed }.
invalid-story_empty = 스토리에 샷이 없어요. 한 줄에 한 샷씩 적어 주세요.
invalid-story_shots = 스토리에는 샷을 최대 { $limit }개 넣을 수 있어요. 지금은 { $count }개예요.
invalid-story_shot_long = { $shot }번 샷은 { $length }자예요. 샷 프롬프트는 최대 { $limit }자까지 쓸 수 있어요.
invalid-story_shot_empty = { $shot }번 샷에 길이만 있고 프롬프트가 없어요.
invalid-story_shot_short = { $shot }번 샷은 { $given }초예요. 샷은 최소 { $minimum }초여야 해요.
invalid-story_sum = 샷 길이의 합은 { $total }초인데 비디오는 { $duration }초예요. 합을 맞추거나 일부 길이를 비워 두면 채워 드려요.
invalid-story_no_room = 적은 길이의 합이 { $total }초라서 { $duration }초 비디오에 길이를 적지 않은 샷 { $open }개가 들어갈 자리가 없어요.
video-type = `{ $name }` 파일은 { $kind } 형식이에요. 참조 비디오는 MP4 또는 MOV여야 해요.
video-size = `{ $name }` 파일은 { NUMBER($size, maximumFractionDigits: 1) } MB예요. 참조 비디오는 최대 { $limit } MB까지 올릴 수 있어요.
omni-image_gap = 이미지는 순서대로 첨부해 주세요. `{ $given }`은 있는데 `{ $missing }`이 없어요.
omni-no_images = 옴니 작업에는 이미지가 하나 이상 필요해요. `이미지1`을 첨부하거나 메시지 메뉴 "참조로 쓰기"로 이미지를 모아 두세요.
references-none_in_message = 이 메시지에는 참조로 쓸 PNG 또는 JPEG 이미지가 없어요.
references-added = 이미지 { $added }개를 추가했어요. { $count ->
        [0] 다음 `/video omni`에 쓸 이미지가 없어요.
       *[other] 다음 `/video omni`에 쓸 이미지 { $count }개:
    }
references-left_out = 이미지 { $count }개는 넣지 못했어요. 옴니 작업에는 최대 { $limit }개까지 넣을 수 있어요.
references-skipped = 건너뜀: { $reason }
references-item = { $citation } `{ $name }`, { $expires } 삭제
references-how = `/video omni`에 첨부한 이미지가 먼저 오고 이 이미지들이 뒤따라요. 첨부한 이미지가 없으면 목록의 번호대로 불러 주세요.
references-clear = 비우기
references-cleared = 모아 둔 참조 이미지를 비웠어요.
note-omni_cited = 프롬프트가 이미지를 부르지 않아서 봇이 이미지 { $count }개를 순서대로 불렀어요.
note-story_filled = 봇이 길이를 적지 않은 샷에 남은 시간을 고르게 나눴어요: { $lengths }초.
modal-story-title = 스토리
modal-story-label = 한 줄에 한 샷 (예: 3초: 여우가 달려요)
modal-story-placeholder = 3초: 눈 속에서 여우가 잠에서 깨요{"\u000A"}기지개를 켜고 달려가요
card-title-omni = 참조로 만드는 비디오
card-title-story = 여러 샷 스토리
## Issue 13 (i13-media): 업로드 한도에 맞춘 비디오, 이어 만들기, 이야기 합치기.
result-fitted = 이 서버의 업로드 한도({ $limit } MB)에 맞게 다시 인코딩했어요. 아래 버튼으로 원본을 열 수 있어요.
result-fit_too_long = 다시 인코딩해도 볼 만한 화질로는 이 서버의 업로드 한도({ $limit } MB)에 맞지 않아서 링크로 보내 드려요.
result-fit_failed = 이 서버의 업로드 한도에 맞게 비디오를 다시 인코딩하지 못해서 링크로 보내 드려요.
result-fit_timed_out = 이 서버의 업로드 한도에 맞게 다시 인코딩하는 데 너무 오래 걸려서 링크로 보내 드려요.
result-continue_frame = <@{ $user_id }> 님이 이 마지막 장면에서 이야기를 이어 가요.
result-story = 하나로 합친 전체 이야기: { $parts }개 부분, { $seconds }초.
button-continue = 이어 만들기
button-continue_prompt = 새 프롬프트로 이어 만들기…
button-join = 이야기 합치기
modal-continue-title = 비디오 이어 만들기
ack-story_posted = 이야기를 합쳤어요: { $link }
ack-story_reused = 이 이야기는 이미 합쳐 두었어요: { $link }
ack-story_busy = 지금 이 이야기를 합치는 중이에요. 끝나면 스레드에 올라와요.
ack-story_failed = 이야기를 합치지 못했어요. { $reason }
access-story_short = 이야기를 합치려면 완성된 부분이 두 개 이상 필요해요(이 비디오의 확장이나 이어 만들기).
access-join_busy = 지금은 다른 이야기를 합치느라 바빠요. 잠시 후에 다시 눌러 주세요.
ack-story_fetch = 이야기의 일부를 가져오지 못했어요.
access-no_frame = 이 비디오의 마지막 장면을 가져오지 못해서 이어 만들 수 없어요. 크레딧은 차감되지 않았어요.
filter-too_slow = 이 서버의 프롬프트 필터가 프롬프트 검사를 끝내지 못해 비디오를 만들지 않았고 크레딧도 차감하지 않았습니다. 더 짧은 프롬프트로 다시 시도하거나 모더레이터에게 문의해 주세요.




## Issue 12, staff control over the new costs (/klingbot settings limits, price confirmation)

settings-forbidden_model = 이 서버에서는 `{ $model }` 모델을 쓸 수 없어요. 쓸 수 있는 모델: { $allowed }.
settings-forbidden_4k = 이 서버에서는 `4k` 비디오를 만들 수 없어요. `std`나 `pro`를 골라 주세요.
settings-forbidden_audio = 이 서버에서는 소리가 있는 비디오를 만들 수 없어요. `audio`를 끄고 다시 시도해 주세요.
settings-forbidden_audio_model = 이 서버에서는 소리가 있는 비디오를 만들 수 없는데, `{ $model }` 모델은 항상 소리를 만들어요. 다른 모델을 골라 주세요.
settings-forbidden_duration = 이 서버에서는 비디오를 최대 { $max }초까지만 만들 수 있어요. { $duration }초는 안 돼요.
settings-default_forbidden_model = `{ $model }` 모델은 이 서버의 기본 모델이면서 금지될 수는 없어요. 먼저 다른 기본 모델을 고르거나 `{ $model }` 모델을 허용해 두세요. 아무것도 바꾸지 않았어요.
settings-default_sound_model = `{ $model }` 모델은 항상 소리를 만들기 때문에, 소리가 금지된 동안에는 이 서버의 기본 모델이 될 수 없어요. 먼저 다른 기본 모델을 골라 주세요. 아무것도 바꾸지 않았어요.
settings-default_forbidden_4k = `4k` 비디오가 금지된 동안에는 `4k`를 이 서버의 기본 모드로 둘 수 없어요. 먼저 기본 모드를 바꾸거나 `4k`를 허용해 주세요. 아무것도 바꾸지 않았어요.
settings-default_over_max_duration = 이 서버의 기본 길이({ $duration }초)가 허용되는 최대 길이({ $max }초)보다 길어져요. 먼저 기본 길이를 바꾸거나 최대 길이를 늘려 주세요. 아무것도 바꾸지 않았어요.
settings-no_model_left = 그렇게 하면 멤버가 쓸 수 있는 모델이 하나도 남지 않아요 (모든 모델이 금지되거나, 그렇게 짧은 비디오를 만드는 모델이 없어요). 적어도 하나는 허용해 두세요. 아무것도 바꾸지 않았어요.
settings-default_model_too_long = 이 서버의 기본 모델 `{ $model }`은 { $shortest }초 이상의 비디오를 만들어서, 허용되는 최대 길이({ $max }초)를 넘어요. 먼저 다른 기본 모델을 고르거나 최대 길이를 늘려 주세요. 아무것도 바꾸지 않았어요.
settings-allowed = 허용
settings-forbidden = 금지
ack-confirm_price = 이 비디오에는 크레딧 { $cost }개가 필요해요 (`{ $model }`, { $duration }초). 이 서버에서는 크레딧 { $threshold }개가 넘는 작업은 확인을 받아요. 확인하기 전에는 아무것도 예약되지 않아요. 이 확인은 { $deadline } 끝나요.
button-confirm = 확인
button-confirm_cancel = 취소
ack-confirmed = 확인했어요. 비디오를 만들기 시작할게요.
ack-confirm_cancelled = 취소했어요. 아무것도 예약되지 않았고 크레딧도 쓰지 않았어요.
ack-confirm_timed_out = { $span } 안에 확인하지 않았어요. 아무것도 예약되지 않았고 크레딧도 쓰지 않았어요.
quota-price_rose = 이 작업에는 이제 크레딧 { $cost }개가 들어서, 확인한 크레딧 { $confirmed }개보다 많아요 (그사이 서버 설정이 바뀌었어요). 아무것도 예약되지 않았어요. 새 가격을 보려면 명령어를 다시 실행해 주세요.
quota-needs_confirmation = 이 작업에는 크레딧 { $cost }개가 들어요. 이 서버에서는 크레딧 { $threshold }개가 넘는 작업은 먼저 확인을 받아요. 아무것도 예약되지 않았어요.
ack-offer_rose = 확인하는 사이 서버 설정이 바뀌었어요. 이 작업에는 이제 크레딧 { $cost }개가 들어서, 확인한 크레딧 { $confirmed }개보다 많아요. 아무것도 예약되지 않았어요. 새 제안을 확인해 주세요.
ack-offer_changed = 확인하는 사이 서버 설정이 바뀌었어요. 이 요청은 이제 확인한 내용(`{ $model }`, { $duration }초)대로 만들어지지 않아요. 아무것도 예약되지 않았어요. 새 제안을 확인해 주세요.
