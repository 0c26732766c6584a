//! gzip (RFC 1952) for `compression: "gzip"`, without a crate: one DEFLATE block
//! (RFC 1951) with the fixed Huffman codes, fed by a greedy LZ77 matcher over a
//! 32 KiB window. Real compression (OTLP JSON shrinks to a third or less), not
//! the stored blocks a minimal encoder would write. Deterministic (mtime 0), so a
//! replay sends the same bytes.
//!
//! Why fixed codes only: dynamic Huffman tables gain little on bodies of a few
//! KiB and would double the code.

/// Writes bits least significant first, as DEFLATE packs them.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code: sent most significant bit first.
    fn code(&mut self, code: u32, bits: u32) {
        self.put(code.reverse_bits() >> (32 - bits), bits);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A literal/length symbol with the fixed code (RFC 1951 §3.2.6).
fn symbol(b: &mut Bits, sym: u32) {
    match sym {
        0..=143 => b.code(0x30 + sym, 8),
        144..=255 => b.code(0x190 + sym - 144, 9),
        256..=279 => b.code(sym - 256, 7),
        _ => b.code(0xc0 + sym - 280, 8),
    }
}

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// The last table entry whose base is at most `v`.
fn slot(bases: &[u16], v: usize) -> usize {
    bases
        .iter()
        .rposition(|&b| usize::from(b) <= v)
        .unwrap_or(0)
}

fn matched(b: &mut Bits, len: usize, dist: usize) {
    let l = slot(&LEN_BASE, len);
    symbol(b, 257 + l as u32);
    b.put(
        (len - usize::from(LEN_BASE[l])) as u32,
        u32::from(LEN_EXTRA[l]),
    );
    let d = slot(&DIST_BASE, dist);
    b.code(d as u32, 5);
    b.put(
        (dist - usize::from(DIST_BASE[d])) as u32,
        u32::from(DIST_EXTRA[d]),
    );
}

const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// How many earlier positions with the same 3-byte hash are tried.
const MAX_CHAIN: usize = 64;
const HASH_BITS: u32 = 15;

fn hash(d: &[u8], i: usize) -> usize {
    let v = u32::from(d[i]) << 16 | u32::from(d[i + 1]) << 8 | u32::from(d[i + 2]);
    (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Raw DEFLATE: one final block with the fixed codes.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut b = Bits {
        out: Vec::with_capacity(data.len() / 2 + 16),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // BFINAL
    b.put(1, 2); // BTYPE 01: fixed Huffman codes
    // head[h]: last position + 1 with hash h; prev[i]: the one before it.
    let mut head = vec![0usize; 1 << HASH_BITS];
    let mut prev = vec![0usize; data.len()];
    let insert = |head: &mut [usize], prev: &mut [usize], i: usize| {
        if i + MIN_MATCH <= data.len() {
            let h = hash(data, i);
            prev[i] = head[h];
            head[h] = i + 1;
        }
    };
    let mut i = 0;
    while i < data.len() {
        let (mut best_len, mut best_dist) = (0, 0);
        if i + MIN_MATCH <= data.len() {
            let max = MAX_MATCH.min(data.len() - i);
            let mut cand = head[hash(data, i)];
            let mut chain = 0;
            while cand > 0 && chain < MAX_CHAIN {
                let j = cand - 1;
                if i - j > WINDOW {
                    break;
                }
                let len = data[j..]
                    .iter()
                    .zip(&data[i..i + max])
                    .take_while(|(x, y)| x == y)
                    .count();
                if len > best_len {
                    (best_len, best_dist) = (len, i - j);
                    if len == max {
                        break;
                    }
                }
                cand = prev[j];
                chain += 1;
            }
        }
        if best_len >= MIN_MATCH {
            matched(&mut b, best_len, best_dist);
            for k in i..i + best_len {
                insert(&mut head, &mut prev, k);
            }
            i += best_len;
        } else {
            symbol(&mut b, u32::from(data[i]));
            insert(&mut head, &mut prev, i);
            i += 1;
        }
    }
    symbol(&mut b, 256); // end of block
    b.finish()
}

/// CRC-32 (IEEE, reflected), as gzip's trailer wants it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (n, t) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *t = c;
    }
    !data.iter().fold(!0u32, |c, &x| {
        table[((c ^ u32::from(x)) & 0xff) as usize] ^ (c >> 8)
    })
}

/// A gzip member: header (no name, mtime 0), DEFLATE data, CRC-32, length.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(deflate(data));
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decoder for what `deflate` writes (one fixed-code block), to check the
    /// round trip without a crate. The integration tests also check every gzip
    /// body with Python's zlib.
    fn inflate_fixed(d: &[u8]) -> Vec<u8> {
        let mut pos = 0usize; // in bits
        let mut bit = |n: u32| -> u32 {
            let mut v = 0;
            for k in 0..n {
                let b = (d[pos / 8] >> (pos % 8)) & 1;
                v |= u32::from(b) << k;
                pos += 1;
            }
            v
        };
        assert_eq!(bit(1), 1, "final block");
        assert_eq!(bit(2), 1, "fixed codes");
        let mut out: Vec<u8> = Vec::new();
        loop {
            // Read a fixed literal/length code, most significant bit first.
            let mut code = 0u32;
            let mut len = 0;
            let sym = loop {
                code = (code << 1) | bit(1);
                len += 1;
                match (len, code) {
                    (7, 0..=0x17) => break code + 256,
                    (8, 0x30..=0xbf) => break code - 0x30,
                    (8, 0xc0..=0xc7) => break code - 0xc0 + 280,
                    (9, 0x190..=0x1ff) => break code - 0x190 + 144,
                    (9, _) => panic!("bad code"),
                    _ => {}
                }
            };
            match sym {
                0..=255 => out.push(sym as u8),
                256 => return out,
                _ => {
                    let l = (sym - 257) as usize;
                    let length = usize::from(LEN_BASE[l]) + bit(u32::from(LEN_EXTRA[l])) as usize;
                    let mut dcode = 0;
                    for _ in 0..5 {
                        dcode = (dcode << 1) | bit(1);
                    }
                    let dc = dcode as usize;
                    let dist = usize::from(DIST_BASE[dc]) + bit(u32::from(DIST_EXTRA[dc])) as usize;
                    for _ in 0..length {
                        out.push(out[out.len() - dist]);
                    }
                }
            }
        }
    }

    #[test]
    fn round_trips_and_compresses() {
        let json = br#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"hookrelay"}},{"key":"host.name","value":{"stringValue":"devbox"}}]}}]}"#;
        let mut samples: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"a".to_vec(),
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
            json.repeat(40),
            (0..=255u8).cycle().take(70_000).collect(),
        ];
        // Pseudo-random bytes: nothing to match, every literal code length used.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        samples.push(
            (0..5000)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect(),
        );
        for s in &samples {
            assert_eq!(&inflate_fixed(&deflate(s)), s, "{} bytes", s.len());
        }
        let big = json.repeat(40);
        assert!(deflate(&big).len() * 10 < big.len(), "real compression");
    }

    #[test]
    fn a_repeat_up_to_32_kib_back_is_found() {
        // 20 KiB of noise, then the same 20 KiB again (a tool output printed
        // twice): DEFLATE's window reaches 32 KiB back, so the second copy costs
        // next to nothing.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..40 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let near = &noise[..20 * 1024];
        let twice = [near, near].concat();
        let (one, two) = (deflate(near).len(), deflate(&twice).len());
        assert_eq!(inflate_fixed(&deflate(&twice)), twice);
        assert!(two < one + one / 10, "noise {one} bytes, twice {two} bytes");
        // 40 KiB back is out of reach: not referenced, the stream stays valid.
        let far = [&noise[..], &noise[..]].concat();
        assert_eq!(inflate_fixed(&deflate(&far)), far);
    }

    #[test]
    fn gzip_framing_and_crc() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let g = gzip(b"hello");
        assert_eq!(&g[..3], &[0x1f, 0x8b, 8]);
        assert_eq!(&g[g.len() - 4..], &5u32.to_le_bytes());
        assert_eq!(inflate_fixed(&g[10..g.len() - 8]), b"hello");
    }
}
