//! The git index (`.git/index`, versions 2 to 4): its entries, as far as the
//! dirty check needs them, and the mode and flag bits it reads.

pub(super) const S_IFMT: u32 = 0o170000;
pub(super) const S_IFLNK: u32 = 0o120000;
pub(super) const S_IFREG: u32 = 0o100000;
pub(super) const S_IFDIR: u32 = 0o040000;
pub(super) const S_IFGITLINK: u32 = 0o160000;

pub(super) const CE_VALID: u16 = 0x8000;
const CE_EXTENDED: u16 = 0x4000;
pub(super) const CE_STAGEMASK: u16 = 0x3000;
pub(super) const CE_SKIP_WORKTREE: u16 = 0x4000;
pub(super) const CE_INTENT_TO_ADD: u16 = 0x2000;

/// One index entry, as far as the dirty check needs it.
#[derive(Debug)]
pub(super) struct Entry {
    /// Into `Index::paths`.
    pub(super) path: std::ops::Range<usize>,
    pub(super) mtime_s: u32,
    pub(super) mtime_ns: u32,
    pub(super) mode: u32,
    pub(super) size: u32,
    pub(super) flags: u16,
    pub(super) ext_flags: u16,
}

/// The parsed entries; all paths share one buffer (one allocation, not 20,000).
#[derive(Debug, Default)]
pub(super) struct Index {
    pub(super) paths: Vec<u8>,
    pub(super) entries: Vec<Entry>,
}

/// Parses the entries of an index (the bytes after the 12-byte header).
/// Bounds-checked throughout: a truncated or garbled index gives `None`.
pub(super) fn parse_index(buf: &[u8], version: u32, count: u32, hash_len: usize) -> Option<Index> {
    let fixed = 40 + hash_len + 2;
    let mut pos = 0usize;
    let mut index = Index {
        paths: Vec::with_capacity(buf.len() / 2),
        entries: Vec::with_capacity(count as usize),
    };
    let mut prev = 0..0;
    for _ in 0..count {
        let start = pos;
        let e = buf.get(pos..pos + fixed)?;
        let flags = be16(&e[fixed - 2..]);
        pos += fixed;
        let mut ext_flags = 0;
        if flags & CE_EXTENDED != 0 {
            if version < 3 {
                return None;
            }
            ext_flags = be16(buf.get(pos..pos + 2)?);
            pos += 2;
        }
        let path_start = index.paths.len();
        if version == 4 {
            // Prefix compression: the previous path minus N bytes, then this suffix.
            let (strip, n) = decode_varint(buf.get(pos..)?)?;
            pos += n;
            let len = buf.get(pos..)?.iter().position(|&b| b == 0)?;
            let keep = prev.len().checked_sub(usize::try_from(strip).ok()?)?;
            index
                .paths
                .extend_from_within(prev.start..prev.start + keep);
            index.paths.extend_from_slice(&buf[pos..pos + len]);
            pos += len + 1;
        } else {
            let len = buf.get(pos..)?.iter().position(|&b| b == 0)?;
            index.paths.extend_from_slice(&buf[pos..pos + len]);
            // NUL-padded to a multiple of 8 (at least one NUL).
            pos = start + ((pos - start + len + 8) & !7);
        }
        let path = path_start..index.paths.len();
        // Split-index entries that replace shared ones have no name: we cannot judge.
        if path.is_empty() {
            return None;
        }
        prev = path.clone();
        index.entries.push(Entry {
            path,
            mtime_s: be32(&e[8..12]),
            mtime_ns: be32(&e[12..16]),
            mode: be32(&e[24..28]),
            size: be32(&e[36..40]),
            flags,
            ext_flags,
        });
    }
    Some(index)
}

/// Git's offset varint (index v4 path prefixes): (value, bytes used).
fn decode_varint(buf: &[u8]) -> Option<(u64, usize)> {
    let mut i = 0;
    let mut c = *buf.first()?;
    let mut val = u64::from(c & 0x7f);
    while c & 0x80 != 0 {
        i += 1;
        val = val.checked_add(1)?;
        if val >> 57 != 0 {
            return None;
        }
        c = *buf.get(i)?;
        val = (val << 7) + u64::from(c & 0x7f);
    }
    Some((val, i + 1))
}

pub(super) fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_matches_git() {
        assert_eq!(decode_varint(&[0x05]), Some((5, 1)));
        assert_eq!(decode_varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(decode_varint(&[0x81, 0x7f]), Some((383, 2)));
        assert_eq!(decode_varint(&[0x80]), None);
    }
}
