# klingcord's messages in English (the default language).
# Message ids are the codes of the code with dots as dashes (invalid.duration -> invalid-duration).
# Placeables: { $name }; plural selectors pick one, other (see the Fluent syntax guide).

# The language's name in itself, for /klingbot settings language.
language-name = English

invalid-unknown_model = Unknown model `{ $model }`. Available models: { $allowed }.
invalid-mode = `{ $model }` supports the modes { $allowed }, not `{ $mode }`.
invalid-mode_single = `{ $model }` has a single mode: leave `mode` empty.
invalid-duration = `{ $model }` makes videos of { $allowed } seconds, not { $duration }.
invalid-duration_range = `{ $model }` makes videos of { $min } to { $max } seconds, not { $duration }.
invalid-prompt_missing = A text-to-video job needs a prompt.
invalid-prompt_long =
    The prompt is { $length ->
        [one] 1 character
       *[other] { $length } characters
    } long; the limit is { $limit }.
invalid-negative_long =
    The negative prompt is { $length ->
        [one] 1 character
       *[other] { $length } characters
    } long; the limit is { $limit }.
invalid-negative_unsupported = A negative prompt is not available for `{ $model }`.
invalid-negative_extend = A negative prompt is not available for extending a video.
invalid-cfg_range = `cfg_scale` must be between 0 and 1, got { $value }.
invalid-cfg_unsupported = `cfg_scale` is not available for `{ $model }`.
invalid-cfg_extend = `cfg_scale` is not available for extending a video.
invalid-aspect_ratio = Aspect ratio must be one of { $allowed }, not `{ $value }`.
invalid-aspect_ratio_image = The aspect ratio of an image-to-video job follows its image; leave `aspect_ratio` empty.
invalid-start_image_missing = Image to video needs a start image.
invalid-image2video_unsupported = `{ $model }` cannot animate images. Try { $allowed }.
invalid-end_image_text = An end frame needs a start image: use image to video.
invalid-end_image_unsupported = `{ $model }` does not take an end frame. Models that do: { $allowed }.
invalid-end_image_pro = `{ $model }` takes an end frame only in `pro` mode.
invalid-end_image_duration = With an end frame the video must be 5 seconds long.
invalid-camera_unsupported = `{ $model }` has no camera control. Models that do: { $allowed }.
invalid-camera_image = Camera control is not available for image to video.
invalid-camera_duration = Camera control on `{ $model }` works with 5-second videos only.
invalid-camera_unknown = Unknown camera move `{ $value }`. Available: { $allowed }.
invalid-camera_4k = Camera control on `{ $model }` is not available in 4K mode: pick `std` or `pro`.
invalid-extend_unsupported = `{ $model }` videos cannot be extended. Models that can: { $allowed }.
invalid-extend_missing_video = Extend needs the video to continue.
invalid-omni_only = Image and video lists are for omni models only ({ $allowed }).
invalid-omni_images = An omni job takes 1 to 7 images, not { $count }.
invalid-omni_4k = `{ $model }` cannot use reference images in 4K mode: pick `std` or `pro`.
invalid-audio_unsupported = `{ $model }` does not make sound. Models that do: { $allowed }.
invalid-audio_pro = Sound on `{ $model }` needs the `pro` mode.
invalid-audio_always = `{ $model }` always makes sound: it cannot be turned off.
image-type = `{ $name }` is { $kind }; Kling takes PNG or JPEG images only.
image-type_unknown = `{ $name }` is an unknown type; Kling takes PNG or JPEG images only.
image-size = `{ $name }` is { NUMBER($size, maximumFractionDigits: 1) } MB; images may be at most { $limit } MB.
image-unreadable = `{ $name }` could not be read as an image.
image-small = `{ $name }` is { $width }×{ $height } px; each side must be at least { $minimum } px.
image-ratio = `{ $name }` is { $width }×{ $height } px; the aspect ratio must be between 1:2.5 and 2.5:1.
image-none_in_message = That message has no PNG or JPEG image to animate.
quota-exceeded =
    This job costs { $cost ->
        [one] 1 credit
       *[other] { $cost } credits
    } and you have { $remaining } of { $limit } left. Your credits reset { $reset }.
quota-blocked = You are blocked from making videos in this server. Reason: { $reason }
quota-server_cap =
    This server has used its { $cap ->
        [one] 1 credit
       *[other] { $cap } credits
    } for this period. They reset { $reset }.
kling-paused = New videos are paused: the bot's Kling balance is used up. The server's moderators have been told.
kling-unavailable = The video service is not reachable right now. Nothing was charged; please try again in a few minutes.
card-title-text2video = Text to video
card-title-image2video = Image to video
card-title-extend = Extend video
card-requester = Requested by <@{ $user_id }>
card-settings =
    { $model } · { $mode } · { $duration } s · { $cost ->
        [one] 1 credit
       *[other] { $cost } credits
    }
card-credits_left =
    { $left ->
        [one] 1 credit
       *[other] { $left } credits
    } left this period
card-state-queued = ⏳ Queued: position { $position }.
card-state-queued_first = ⏳ Queued: starting soon.
card-state-queued_beyond = ⏳ Queued: further back than position { $position }.
card-state-reserved = ⏳ Sending to Kling…
card-state-submitted = 🎬 Generating since <t:{ $since }:R>; usually ready <t:{ $eta }:R>.
card-state-unconfirmed = 🎬 Sent to Kling; waiting for its answer.
card-state-succeeded = 📦 Done; posting the video…
card-state-delivered = ✅ Done: { $link }
card-state-failed = ❌ { $reason }
card-no_thread = Threads are not possible here, so the result will be posted in this channel.
card-refunded =
    { $cost ->
        [one] 1 credit
       *[other] { $cost } credits
    } refunded.
result-ready = <@{ $user_id }> your video is ready.
result-link_too_large = The file is larger than this server's upload limit ({ $limit } MB), so here is the link.
result-link_refused = Discord refused the upload, so here is the link.
result-link_download = The file could not be fetched for upload, so here is the link.
result-failed = <@{ $user_id }> your video could not be made. { $reason } { $refund }
result-open = Open the video
result-footer = Job { $job_id }
result-late = ⏰ Late: this video arrived after the job had been stopped and refunded. It is free; nothing is charged.
button-extend = Extend
button-cancel = Cancel
cancel-done = { $cost ->
        [one] Cancelled; your credit was refunded.
       *[other] Cancelled; your { $cost } credits were refunded.
    }
button-extend_prompt = Extend with a new prompt…
modal-extend-title = Extend the video
modal-prompt-label = Prompt
modal-prompt-placeholder = What happens next?
modal-animate-title = Animate with Kling
modal-animate-placeholder = Describe the motion (optional)
access-not_yours = Only the person who asked for this video, or a moderator, can extend it.
access-gone = This video is no longer known to the bot.
access-not_ready = This video is not finished yet.
access-removed = A moderator removed this video, so it cannot be extended, continued, joined or posted again.
ack-started = Your video is on its way: { $link }
ack-failed = That did not work: { $reason }
error-unknown = Sorry, something went wrong on our side (error `{ $error_id }`).
command-cooldown = You are using this command too fast. Try again { $when }.
command-bot_missing = I need the { $permissions } permission(s) in this channel to do that.
command-missing = You need the { $permissions } permission(s) to use this command.
command-missing_role = You do not have the role this command needs.
command-not_allowed = You cannot use this command here.
command-not_a_member = That user is not a member of this server.
command-bad_channel = I cannot use that channel for this.
command-bad_value = `{ $value }` is not a valid value for that option.
quota-me =
    { "**" }{ $remaining }** of { $limit ->
        [one] 1 credit
       *[other] { $limit } credits
    } left ({ $source }). They reset { $reset }.
    Running: { $running } · queued: { $queued }
quota-me_blocked = You are blocked from making videos here. Reason: { $reason }
quota-source-member = your own limit
quota-source-role = from your roles
quota-source-server = the server's default
quota-source-bot = the bot's default
quota-show =
    <@{ $user_id }>: **{ $remaining }** of { $limit ->
        [one] 1 credit
       *[other] { $limit } credits
    } left ({ $source }), { $spent } spent this period; resets { $reset }. Running: { $running } · queued: { $queued }
quota-show_blocked = Blocked by <@{ $by }> <t:{ $at }:R>: { $reason }
quota-history_title = Recent moderator actions:
quota-history_none = No moderator actions recorded for this member.
quota-usage_title = Credits spent { $start } – { $end }:
quota-usage_line =
    { $rank }. <@{ $user_id }>: { $credits ->
        [one] 1 credit
       *[other] { $credits } credits
    } in { $jobs ->
        [one] 1 job
       *[other] { $jobs } jobs
    }
quota-usage_none = Nobody spent credits in that period.
mod-only = Only moderators (Manage Server, or the server's moderator role) can do that.
mod-guild_only = This only works in a server.
dm-refused = Videos are made in servers only, where each server's moderators and limits apply. Use my commands in a server channel.
mod-done = Done. { $summary }
audit-line = 🛡️ <@{ $actor }> { $action }{ $target }: { $old } → { $new }{ $reason }
settings-current =
    Current settings:
    { $lines }
settings-not_allowed_here = Videos can be made in these channels only: { $channels }.
status-line = Jobs: { $counts }. Kling: { $kling }. Poller: last round <t:{ $tick }:R>.
failed-kling = Kling could not make this video: { $reason }
failed-kling_unexplained = Kling could not make this video: unknown error
failed-rejected = Kling refused the request: { $reason }
failed-content_refused = Kling refused this content: { $reason }
failed-content_refused_unexplained = Kling refused this content.
failed-misconfigured = The bot is misconfigured (its Kling token was refused). The operator has been told.
failed-misconfigured_base = The bot is misconfigured (its Kling API address is wrong). The operator has been told.
failed-used_up = The bot's Kling balance is used up. Moderators have been told.
failed-server_error = Kling had an internal error and did not start the video.
failed-unconfirmed = Kling did not confirm the job and it could not be tracked, so it was cancelled.
failed-deadline = Kling did not finish within { $span }, so the job was stopped.
failed-lost = Kling lost track of this job.
failed-cancelled = Cancelled by <@{ $user_id }>.
failed-queue_deadline = The job waited too long in the queue (more than { $span } without a free slot), so it was never sent to Kling.
cancel-not_yours = Only the person who asked for this video, or a moderator, can cancel it.
cancel-too_late = This job has already started and can no longer be cancelled.
failed-undeliverable = The video was made but could not be posted here.
failed-unsafe_video = Kling's result is at an address the bot may not fetch from, so it cannot be posted. The bot's operator has been told.
failed-cannot_post = { $reason } Nothing was charged.
post-forbidden = I cannot post in this channel: I need View Channel, Send Messages, Embed Links and Attach Files here.
failed-refunded = { $cost ->
        [one] Your credit was refunded.
       *[other] Your { $cost } credits were refunded.
    }
alert-default_model_removed = This server's default model `{ $model }` is no longer offered by the bot, so videos use `{ $fallback }` instead. Pick another default with `/klingbot settings defaults default_model`.
alert-used_up = Kling answered that the bot's balance is used up: new video jobs are paused for 15 minutes at a time until the operator tops it up.
span-second =
    { $count ->
        [one] 1 second
       *[other] { $count } seconds
    }
span-minute =
    { $count ->
        [one] 1 minute
       *[other] { $count } minutes
    }
span-hour =
    { $count ->
        [one] 1 hour
       *[other] { $count } hours
    }

## Words the Discord layer puts into other messages

list-none = none
# Between the last two values of a list ("5 or 10"); quoted, as Fluent trims outer spaces.
list-or = { " or " }
card-single_mode = single mode
card-see_thread = see the thread
result-length = { NUMBER($seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } s long
settings-all_channels = all channels
status-kling_paused = paused (balance used up)
status-kling_accepting = accepting jobs
status-simulated = simulated Kling: test videos made by the bot
audit-action = { $action ->
        [set_member_limit] set member limit
        [set_role_limit] set role limit
        [grant] grant
        [block] block
        [unblock] unblock
        [set_log_channel_id] set log channel
        [set_moderator_role_id] set moderator role
        [set_extend_access] set extend access
        [set_allowed_channel_ids] set allowed channels
        [set_default_model] set default model
        [set_default_mode] set default mode
        [set_default_duration] set default duration
        [set_reset_hour_utc] set reset hour utc
        [set_default_credits] set default credits
        [set_server_cap] set server cap
        [set_language] set language
        [set_forbidden_models] set forbidden models
        [set_allow_4k] set 4K allowed
        [set_allow_audio] set sound allowed
        [set_max_duration] set longest video
        [set_confirm_above] set price confirmation threshold
       *[other] { $action }
    }
audit-value = { $value ->
        [blocked] blocked
        [not_blocked] not blocked
       *[other] { $value }
    }
# A Discord permission as Discord's own settings name it (others: their API name, tidied).
permission-name = { $permission ->
        [view_channel] View Channel
        [send_messages] Send Messages
        [send_messages_in_threads] Send Messages in Threads
        [create_public_threads] Create Public Threads
        [embed_links] Embed Links
        [attach_files] Attach Files
        [read_message_history] Read Message History
        [manage_guild] Manage Server
        [manage_messages] Manage Messages
        [manage_roles] Manage Roles
        [manage_channels] Manage Channels
        [administrator] Administrator
        [add_reactions] Add Reactions
        [use_application_commands] Use Application Commands
       *[other] { $fallback }
    }

## -- Community moderation (issue 14): prompt filters, review mode, reports, gifts, rewards --

filter-refused = Your { $field ->
        [negative_prompt] negative prompt
       *[other] prompt
    } contains { $kind ->
        [pattern] something this server's rule { $rule } refuses
       *[other] “{ $rule }”, which this server does not allow
    }. Nothing was made and nothing was charged.
filter-word_long = A filter word may have 1 to { $limit } { $limit ->
        [one] character
       *[other] characters
    }.
filter-regex_long = A filter pattern may have 1 to { $limit } { $limit ->
        [one] character
       *[other] characters
    }.
filter-regex_invalid = This is not a valid regular expression: { $error }
filter-regex_unsafe = This pattern could make checking prompts very slow (a repeat inside a repeat, alternatives under a repeat, or a backreference). Please write it more simply.
filter-regex_slow = This pattern is too slow: checking a long prompt with it takes too long (repeats side by side, such as `\w+\w+\d`, try every way to split a long word). Please write it more simply.
filter-too_many = This server has { $limit } prompt filters already, the most it may have.
filter-exists = The filter “{ $rule }” exists already.
filter-unknown = There is no filter “{ $rule }”.
filter-list_title = Words and patterns refused in prompts:
filter-none = This server has no prompt filters.
settings-review_needs_log = Review mode asks moderators in the log channel: set one first with `/klingbot settings channels log_channel`. Nothing was changed.
settings-unknown_key = `{ $keys }` is not a setting. The settings are: { $allowed }. Nothing was changed.
settings-bad_value = `{ $value }` is not a value `{ $setting }` can take. Nothing was changed.

card-state-review = 🛡️ Waiting for a moderator's review; the credits are held until then.
ack-review = Your video waits for a moderator's review: { $link }. Its credits are held meanwhile and refunded if it is not approved.
review-title = Review needed
review-member = Requested by <@{ $user_id }> · { $cost } { $cost ->
        [one] credit
       *[other] credits
    }
review-negative = Negative prompt: { $text }
review-images = Images: { $links }
review-approved = ✅ Approved by <@{ $actor }>.
review-rejected = ❌ Rejected by <@{ $actor }>: { $reason }
review-timed_out = ⌛ No moderator decided in time; the credits were refunded.
review-cancelled = The member cancelled this job.
review-decided = This job is no longer waiting for review.
review-done_approved = Approved: the video is on its way.
review-done_rejected = Rejected: the member was told why, and refunded.
button-approve = Approve
button-reject = Reject
button-report = Report
button-report_remove = Remove the video
button-report_block = Block the requester
button-report_dismiss = Dismiss
modal-reject-title = Reject this video
modal-reason-label = Reason
modal-report-title = Report this video
modal-report-label = What is wrong with it?
modal-block-title = Block the requester
failed-review_rejected = A moderator rejected this video: { $reason }
failed-review_timeout = No moderator reviewed this video within { $span }.

report-title = Report
report-details = Video by <@{ $requester }> · reported by <@{ $reporter }>
report-reason = Reason: { $reason }
report-link = Result: { $link }
report-sent = Thank you. The moderators will look at it.
report-already = You already reported this video.
report-own = You cannot report your own video.
report-not_ready = There is no video to report yet.
report-decided = A moderator already decided on this report.
report-removed = 🗑️ Video removed by <@{ $actor }>.
report-blocked = ⛔ <@{ $requester }> blocked by <@{ $actor }>: { $reason }
report-dismissed = Dismissed by <@{ $actor }>.
report-removed_notice = 🗑️ A moderator removed this video.
report-done = Done.
report-remove_done = Done. { $deleted ->
        [one] 1 message deleted
       *[other] { $deleted } messages deleted
    }{ $stories ->
        [0] {""}
        [one] , the joined story with this video in it among them
       *[other] , the { $stories } joined stories with this video in them among them
    }{ $gone ->
        [0] {""}
       *[other] ; { $gone } already gone
    }. It will not be posted again.
report-remove_failed = Could not delete the video: Discord refused ({ $status }). The report stays open: press Remove again, or delete the message by hand and then press Remove. The video will not be posted again meanwhile.

gift-off = Giving credits is off in this server.
gift-self = You cannot give credits to yourself.
gift-blocked = You are blocked from using credits in this server.
gift-to_bot = Bots cannot use credits: nothing was given.
gift-to_blocked = That member is blocked from using credits in this server: nothing was given.
gift-remaining = You have only { $remaining } { $remaining ->
        [one] credit
       *[other] credits
    } left this period.
gift-share = You can give at most { $left } { $left ->
        [one] more credit
       *[other] more credits
    } this period ({ $share }% of your allowance).
gift-done = You gave { $credits } { $credits ->
        [one] credit
       *[other] credits
    } to <@{ $user_id }>.
reward-paid = 🎉 <@{ $user_id }> earned { $credits } { $credits ->
        [one] bonus credit
       *[other] bonus credits
    }: { $voters } { $voters ->
        [one] member
       *[other] members
    } loved this video.
rewards-state = Reaction rewards: { $emoji } · { $credits } { $credits ->
        [one] credit
       *[other] credits
    } once { $voters } { $voters ->
        [one] member reacts
       *[other] members react
    } · at most { $max } per member per period (no credits: off).
audit-community_action = { $action ->
        [filter_add] add prompt filter
        [filter_remove] remove prompt filter
        [review_approve] approve video for
        [review_reject] reject video of
        [report_removed] remove reported video of
        [report_blocked] block after a report
        [report_dismissed] dismiss report about
        [gift] give credits to
        [set_review] set review mode
        [set_review_new_member_days] set review new member days
        [set_review_timeout_minutes] set review timeout
        [set_trusted_role_id] set trusted role
        [set_give_share] set give share
        [set_reward_emoji] set reward emoji
        [set_reward_credits] set reward credits
        [set_reward_voters] set reward voters
        [set_reward_max_per_period] set reward max per period
       *[other] { $action }
    }
card-review_approved = 🛡️ Approved by a moderator.

## Issue 12, the options of /video (i12-options): sound, loop, lengths, Extend's length and age.
invalid-loop_image = A loop needs a start image: use `/video image`.
invalid-loop_end_image = A loop ends on its start image, so it takes no `end_image`: use either `loop` or `end_image`.
invalid-loop_unsupported = `{ $model }` cannot loop: it takes no end frame. Models that can: { $allowed }.
invalid-loop_pro = A loop on `{ $model }` needs the `pro` mode (its end frames are pro only).
invalid-loop_duration = A loop on this model must be 5 seconds long.
invalid-extend_duration = `{ $model }` extends a video by { $allowed } seconds, not { $duration }.
invalid-extend_too_old = Kling extends only videos made in the last { $days } days, and this one is older. Nothing was charged.
invalid-extend_length_not_number = The length must be a number of seconds: { $allowed }.
card-sound = with sound
modal-extend-length-label = Length in seconds ({ $allowed })
## Issue 13 (i13-extras): /video history, /video notify, spoilers, simulated Kling.
history-title = { $count ->
    [0] Your recent videos
    [one] 1 recent video
   *[other] { $count } recent videos
}
history-whose = Videos of <@{ $user_id }>, newest first:
history-none = No videos yet.
history-line = { $created } { $state } · { $prompt } · `{ $model }` · { $cost ->
    [one] 1 credit
   *[other] { $cost } credits
}{ $link }
history-open = [open]({ $link })
history-page = Page { $page } of { $pages }
history-previous = Previous
history-next = Next
history-not_yours = Only the person who asked for this list can turn its pages.
history-state-queued = ⏳ queued
history-state-reserved = ⏳ starting
history-state-submitted = 🎬 in progress
history-state-succeeded = 📤 posting
history-state-delivered = ✅ done
history-state-review = 🔎 waiting for review
history-state-failed = ❌ failed, refunded
history-removed = 🗑️ removed by a moderator
quota-jobs_title = Their recent videos are below.
notify-on = I will send you a direct message when your video is ready (or if it fails). If your DMs are closed to me, there will be no message.
notify-off = No more direct messages about your videos.
dm-ready = Your video is ready: { $link }
    Prompt: { $prompt }
dm-failed = Your video could not be made: { $reason } Nothing was charged. { $link }
    Prompt: { $prompt }
card-simulated = Simulated Kling (`KLING_API_BASE=simulated`): a test video made by the bot, not by Kling.
## Issue 12: /video omni, /video story, "Use as reference"
invalid-omni_images_with_video = With a reference video an omni job takes at most { $limit } images, not { $count }.
invalid-omni_citation = The prompt cites `{ $cited }`, but the job has { $count ->
        [one] 1 image
       *[other] { $count } images
    }: cite `<<<image_1>>>` to `<<<image_{ $count }>>>` only.
invalid-omni_video_audio = `{ $model }` makes no sound of its own beside a reference video: use `keep_sound` to keep the video's.
invalid-story_unsupported = `{ $model }` cannot make a video in several shots. Models that can: { $allowed }.
invalid-story_empty = The story has no shot: write one per line.
invalid-story_shots = A story has at most { $limit } shots, not { $count }.
invalid-story_shot_long =
    Shot { $shot } is { $length ->
        [one] 1 character
       *[other] { $length } characters
    } long; a shot's prompt may be at most { $limit }.
invalid-story_shot_empty = Shot { $shot } has a length but no prompt.
invalid-story_shot_short = Shot { $shot } is { $given } s long; each shot must last at least { $minimum } s.
invalid-story_sum = The shots last { $total } s in all, but the video is { $duration } s: make them add up, or leave some lengths out to have them filled.
invalid-story_no_room = The given lengths add up to { $total } s, leaving no second for the { $open ->
        [one] shot
       *[other] { $open } shots
    } without a length in a { $duration } s video.
video-type = `{ $name }` is { $kind }; a reference video must be MP4 or MOV.
video-size = `{ $name }` is { NUMBER($size, maximumFractionDigits: 1) } MB; a reference video may be at most { $limit } MB.
omni-image_gap = Attach the images in order: `{ $given }` is given but `{ $missing }` is not.
omni-no_images = An omni job needs at least one image: attach `image1`, or set images aside with the message menu "Use as reference".
references-none_in_message = That message has no PNG or JPEG image to use as a reference.
references-added = { $added ->
        [0] No image added.
        [one] 1 image added.
       *[other] { $added } images added.
    } { $count ->
        [0] No image is set aside for your next `/video omni`.
        [one] 1 image is set aside for your next `/video omni`:
       *[other] { $count } images are set aside for your next `/video omni`:
    }
references-left_out = { $count ->
        [one] 1 image was
       *[other] { $count } images were
    } left out: an omni job takes at most { $limit }.
references-skipped = Skipped: { $reason }
references-item = { $citation } `{ $name }`, dropped { $expires }
references-how = Images you attach to `/video omni` come first, and these follow them; with none attached, cite them as listed.
references-clear = Clear
references-cleared = Your references are cleared.
note-omni_cited = The prompt cited no image, so the bot cited { $count ->
        [one] the image
       *[other] all { $count } images, in order
    }.
note-story_filled = The bot filled the shots' open lengths evenly: { $lengths } s.
modal-story-title = Your story
modal-story-label = Shots, one per line (e.g. 3s: a fox runs)
modal-story-placeholder = 3s: a fox wakes up in the snow{"\u000A"}it stretches and runs off
card-title-omni = Video from references
card-title-story = Story in shots
## Issue 13 (i13-media): videos fitted to the upload limit, Continue, Join the story.
result-fitted = Re-encoded to fit this server's upload limit ({ $limit } MB); the button below opens the original.
result-fit_too_long = Even re-encoded, this video would not fit this server's upload limit ({ $limit } MB) at a watchable quality, so here is the link.
result-fit_failed = The video could not be re-encoded to fit this server's upload limit, so here is the link.
result-fit_timed_out = Re-encoding the video to fit this server's upload limit took too long, so here is the link.
result-continue_frame = <@{ $user_id }> continues the story from this last frame.
result-story = The whole story in one video: { $parts } parts, { $seconds } s.
button-continue = Continue
button-continue_prompt = Continue with a new prompt…
button-join = Join the story
modal-continue-title = Continue the video
ack-story_posted = The story is joined: { $link }
ack-story_reused = This story was joined already: { $link }
ack-story_busy = This story is being joined right now; it will appear in the thread.
ack-story_failed = The story could not be joined. { $reason }
access-story_short = A story needs at least two finished parts (an Extend or a Continue of this video).
access-join_busy = The bot is busy joining other stories right now; try again in a moment.
ack-story_fetch = A part of the story could not be fetched.
access-no_frame = The last frame of this video could not be taken, so it cannot be continued. Nothing was charged.
filter-too_slow = This server's prompt filters could not finish checking your prompt, so nothing was made and nothing was charged. Try a shorter prompt, or ask a moderator.




## Issue 12, staff control over the new costs (/klingbot settings limits, price confirmation)

settings-forbidden_model = This server does not allow `{ $model }`. Models allowed here: { $allowed }.
settings-forbidden_4k = This server does not allow 4K videos: pick `std` or `pro`.
settings-forbidden_audio = This server does not allow videos with sound: leave `audio` off.
settings-forbidden_audio_model = This server does not allow videos with sound, and `{ $model }` always makes sound: pick another model.
settings-forbidden_duration =
    This server allows videos of at most { $max ->
        [one] 1 second
       *[other] { $max } seconds
    }, not { $duration }.
settings-default_forbidden_model = `{ $model }` cannot be this server's default model and forbidden at once: pick another default model first, or keep `{ $model }` allowed. Nothing was changed.
settings-default_sound_model = `{ $model }` always makes sound, so it cannot be this server's default model while sound is forbidden: pick another default model first. Nothing was changed.
settings-default_forbidden_4k = 4K cannot be this server's default mode while 4K videos are forbidden: change the default mode first, or allow 4K. Nothing was changed.
settings-default_over_max_duration =
    This server's default length ({ $duration ->
        [one] 1 second
       *[other] { $duration } seconds
    }) would be over the longest allowed ({ $max ->
        [one] 1 second
       *[other] { $max } seconds
    }): change the default length first, or raise the limit. Nothing was changed.
settings-no_model_left = That would leave members no model to use (every model forbidden, or none makes videos that short): keep at least one allowed. Nothing was changed.
settings-default_model_too_long =
    `{ $model }`, this server's default model, makes videos of { $shortest ->
        [one] 1 second
       *[other] { $shortest } seconds
    } or more, over the longest allowed ({ $max ->
        [one] 1 second
       *[other] { $max } seconds
    }): pick another default model first, or a longer limit. Nothing was changed.
settings-allowed = allowed
settings-forbidden = forbidden
ack-confirm_price =
    This video costs { $cost ->
        [one] 1 credit
       *[other] { $cost } credits
    } (`{ $model }`, { $duration } s); this server asks members to confirm jobs over { $threshold ->
        [one] 1 credit
       *[other] { $threshold } credits
    }. Nothing is reserved until you confirm; this offer ends { $deadline }.
button-confirm = Confirm
button-confirm_cancel = Cancel
ack-confirmed = Confirmed: starting your video.
ack-confirm_cancelled = Cancelled: nothing was reserved and no credits were spent.
ack-confirm_timed_out = Not confirmed within { $span }: nothing was reserved and no credits were spent.
quota-price_rose =
    This job now costs { $cost ->
        [one] 1 credit
       *[other] { $cost } credits
    }, more than the { $confirmed ->
        [one] 1 credit
       *[other] { $confirmed } credits
    } you confirmed (the server's settings changed meanwhile). Nothing was reserved: run the command again to see the new price.
quota-needs_confirmation =
    This job costs { $cost ->
        [one] 1 credit
       *[other] { $cost } credits
    }, more than the { $threshold ->
        [one] 1 credit
       *[other] { $threshold } credits
    } above which this server asks members to confirm first. Nothing was reserved.
ack-offer_rose =
    The server's settings changed while you decided: this job now costs { $cost ->
        [one] 1 credit
       *[other] { $cost } credits
    }, more than the { $confirmed ->
        [one] 1 credit
       *[other] { $confirmed } credits
    } you confirmed. Nothing was reserved; here is the new offer.
ack-offer_changed = The server's settings changed while you decided: this request would no longer run as you confirmed it (`{ $model }`, { $duration } s). Nothing was reserved; here is the new offer.
