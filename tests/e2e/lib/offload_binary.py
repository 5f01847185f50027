"""LLVM's OffloadBinary layout (llvm/include/llvm/Object/OffloadBinary.h), for tests that need
versions or image kinds that Debian 12's clang-offload-packager-16 does not write (v2, v3, the
SYCLBIN image kind 7). images: [(image_kind, offload_kind, bytes, {key: value})]."""
import struct


def body(images, header_size):
    """(entries + string records + strings + images, its padded size) after a header."""
    strings = b""
    offsets = {}
    for _, _, _, kv in images:
        for s in list(kv.keys()) + list(kv.values()):
            if s not in offsets:
                offsets[s] = len(strings)
                strings += s.encode() + b"\0"
    nrec = sum(len(kv) for *_, kv in images)
    entries_off = header_size
    records_off = entries_off + 40 * len(images)
    strtab_off = records_off + 24 * nrec
    data_off = (strtab_off + len(strings) + 7) & ~7
    entries = records = b""
    image_off = data_off
    for ik, ok, img, kv in images:
        entries += struct.pack("<HHIQQQQ", ik, ok, 0, records_off + len(records), len(kv), image_off, len(img))
        for k, v in kv.items():
            records += struct.pack("<QQQ", strtab_off + offsets[k], strtab_off + offsets[v], len(v))
        image_off += len(img)
    blob = entries + records + strings
    blob += b"\0" * (data_off - header_size - len(blob)) + b"".join(i[2] for i in images)
    size = (header_size + len(blob) + 7) & ~7
    return blob + b"\0" * (size - header_size - len(blob)), size


def write_v2(images):
    blob, size = body(images, 32)
    return b"\x10\xff\x10\xad" + struct.pack("<IQQQ", 2, size, 32, len(images)) + blob
