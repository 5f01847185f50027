namespace aotpack {}
