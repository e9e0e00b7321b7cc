# klingcord's messages in Korean: a MINIMAL catalogue holding only the messages the language
# plumbing tests need (issue 11); the full catalogue replaces this file. Messages missing here
# fall back to English.

language-name = 한국어
invalid-duration = `{ $model }` 모델은 { $allowed }초 길이의 비디오만 만들 수 있어요. { $duration }초는 지원하지 않아요.
quota-exceeded = 이 작업에는 크레딧 { $cost }개가 필요한데, 남은 크레딧은 { $limit }개 중 { $remaining }개예요. 크레딧은 { $reset } 초기화돼요.
quota-blocked = 이 서버에서 비디오를 만들 수 없도록 차단되었어요. 사유: { $reason }
kling-unavailable = 지금은 비디오 서비스에 연결할 수 없어요. 크레딧은 차감되지 않았으니 잠시 후 다시 시도해 주세요.
card-title-text2video = 텍스트로 비디오
card-title-image2video = 이미지로 비디오
card-title-extend = 비디오 확장
card-requester = 요청한 사람: <@{ $user_id }>
card-settings = { $model } · { $mode } · { $duration }초 · 크레딧 { $cost }개
card-credits_left = 이번 기간 남은 크레딧 { $left }개
card-state-queued = ⏳ 대기 중: { $position }번째예요.
card-state-queued_first = ⏳ 대기 중: 곧 시작해요.
card-state-reserved = ⏳ Kling에 보내는 중…
card-state-submitted = 🎬 <t:{ $since }:R>부터 생성 중이에요. 보통 <t:{ $eta }:R> 완성돼요.
card-state-unconfirmed = 🎬 Kling에 보냈어요. 응답을 기다리는 중이에요.
card-state-succeeded = 📦 완성! 비디오를 올리는 중…
card-state-delivered = ✅ 완성: { $link }
card-state-failed = ❌ { $reason }
card-no_thread = 여기서는 스레드를 만들 수 없어서 결과를 이 채널에 올려요.
card-refunded = 크레딧 { $cost }개를 환불했어요.
result-ready = <@{ $user_id }> 비디오가 완성되었어요.
result-failed = <@{ $user_id }> 비디오를 만들지 못했어요. { $reason } { $refund }
result-open = 비디오 열기
result-footer = 작업 { $job_id }
button-extend = 확장
button-extend_prompt = 새 프롬프트로 확장…
button-cancel = 취소
modal-extend-title = 비디오 확장
modal-prompt-label = 프롬프트
modal-prompt-placeholder = 다음에는 어떤 장면이 이어지나요?
modal-animate-title = Kling으로 움직이게 하기
modal-animate-placeholder = 어떻게 움직일지 설명해 주세요 (선택)
access-not_yours = 이 비디오를 요청한 사람이나 모더레이터만 확장할 수 있어요.
ack-started = 비디오를 만들기 시작했어요: { $link }
quota-me =
    { "**" }{ $remaining }**/{ $limit } 크레딧 남음 ({ $source }). { $reset } 초기화돼요.
    진행 중: { $running }개 · 대기 중: { $queued }개
quota-source-member = 내 개인 한도
quota-source-role = 역할 한도
quota-source-server = 서버 기본값
quota-source-bot = 봇 기본값
dm-refused = 비디오는 서버에서만 만들 수 있어요. 각 서버의 모더레이터와 한도가 적용되거든요. 서버 채널에서 명령어를 사용해 주세요.
mod-done = 완료했어요. { $summary }
audit-line = 🛡️ <@{ $actor }> 님의 조치 — { $action }{ $target }: { $old } → { $new }{ $reason }
settings-current =
    현재 설정:
    { $lines }
failed-kling = Kling이 이 비디오를 만들지 못했어요: { $reason }
failed-refunded = 크레딧 { $cost }개를 환불했어요.
