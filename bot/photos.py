"""Photos from a chat: downloaded (size-limited), checked to be an image, stored by the
inspections service, which re-encodes them without EXIF and keeps them content-addressed."""
from __future__ import annotations

import base64

from telegram import Update

from bot.common import Ctx, Reject, call, deps
from shared.contracts.documents_answers import PhotoStored
from shared.kit.errors import InvalidInput

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
REFUSALS = {  # the inspections service's rule -> what the resident reads
    "max_pixels": "photo-too-many-pixels", "max_size": "photo-too-big", "max_length": "photo-too-big",
    "daily_quota_count": "photo-quota", "daily_quota_bytes": "photo-quota",
}


async def store_photo(update: Update, context: Ctx) -> str:
    """The sha256 of the photo in this message, once stored; Reject when it is none or too big."""
    message = update.effective_message
    limit = deps(context).settings.bot.max_photo_bytes
    if message.photo:
        item = message.photo[-1]  # the largest size Telegram made
    elif message.document and (message.document.mime_type or "") in IMAGE_TYPES:
        item = message.document
    else:
        raise Reject("photo-expected")
    if item.file_size and item.file_size > limit:
        raise Reject("photo-too-big", mb=round(limit / 1_000_000, 1))
    file = await context.bot.get_file(item.file_id)
    data = bytes(await file.download_as_bytearray())
    if len(data) > limit:
        raise Reject("photo-too-big", mb=round(limit / 1_000_000, 1))
    try:
        answer = await call(update, context, "inspections", "store_photo", data_b64=base64.b64encode(data).decode())
    except InvalidInput as e:
        key = REFUSALS.get(e.rule or "", "photo-unreadable")
        raise Reject(key, mb=round(limit / 1_000_000, 1)) from None
    return PhotoStored.model_validate(answer).photo
