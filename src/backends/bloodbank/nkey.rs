//! NATS NKey logins for Bloodbank's NATS mode: a user seed (`SU…`, from
//! `nkey_seed`, `seed_file` or a `.creds` file) signs the server's INFO `nonce`
//! with Ed25519; CONNECT carries the user's public key (`nkey`, NKey mode) or
//! the user JWT (`jwt`, `.creds` / operator mode) and the signature (`sig`).
//!
//! The NKey text format (nats-io/nkeys): base32 (RFC 4648 alphabet, no
//! padding) of prefix byte(s) + the 32-byte key + CRC-16/XMODEM of both,
//! little-endian. A seed has two prefix bytes (`S` and the key type packed into
//! 10 bits); a public key one (`U` for a user). Ed25519 comes from `ring`,
//! already compiled in through rustls.

use ring::signature::{Ed25519KeyPair, KeyPair};

/// Prefix byte of a seed (`S` in base32).
const PREFIX_SEED: u8 = 18 << 3;
/// Prefix byte of a user key (`U` in base32).
const PREFIX_USER: u8 = 20 << 3;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys computes it.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// RFC 4648 base32 without padding.
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in data {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// RFC 4648 base32 without padding; `None` on any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// Base64url without padding: the encoding of `sig` in CONNECT.
pub fn base64url(data: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A user's key pair, from its seed. Its `Debug` never shows the seed.
pub struct UserKey {
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for UserKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserKey({})", self.public_key())
    }
}

impl UserKey {
    /// Reads an `SU…` seed. The error says what is wrong without the seed.
    pub fn from_seed(seed: &str) -> Result<UserKey, String> {
        let seed = seed.trim();
        let raw = base32_decode(seed).ok_or("is not an NKey seed (not base32)")?;
        if raw.len() != 2 + 32 + 2 {
            return Err("is not an NKey seed (wrong length)".into());
        }
        let (body, crc) = raw.split_at(raw.len() - 2);
        if crc16(body) != u16::from_le_bytes([crc[0], crc[1]]) {
            return Err(
                "is not a valid NKey seed (checksum mismatch: a character is wrong)".into(),
            );
        }
        if body[0] & 0xf8 != PREFIX_SEED {
            return Err("is not an NKey seed (seeds start with `S`)".into());
        }
        let kind = ((body[0] & 0x07) << 5) | ((body[1] & 0xf8) >> 3);
        if kind != PREFIX_USER {
            return Err("is not a user seed (user seeds start with `SU`)".into());
        }
        let pair = Ed25519KeyPair::from_seed_unchecked(&body[2..])
            .map_err(|_| "is not a valid Ed25519 seed".to_string())?;
        Ok(UserKey { pair })
    }

    /// The text of a user seed (`SU…`) for 32 random bytes: how `nk -gen user`
    /// writes one (the tests make their own users with it).
    pub fn seed_text(raw: &[u8; 32]) -> String {
        let mut b = vec![PREFIX_SEED | (PREFIX_USER >> 5), (PREFIX_USER & 31) << 3];
        b.extend_from_slice(raw);
        let crc = crc16(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        base32_encode(&b)
    }

    /// The public key, `U…`, as the server's `authorization { users }` lists it.
    pub fn public_key(&self) -> String {
        let mut raw = vec![PREFIX_USER];
        raw.extend_from_slice(self.pair.public_key().as_ref());
        let crc = crc16(&raw);
        raw.extend_from_slice(&crc.to_le_bytes());
        base32_encode(&raw)
    }

    /// The Ed25519 signature of the server's nonce, base64url without padding
    /// (CONNECT's `sig`).
    pub fn sign_nonce(&self, nonce: &str) -> String {
        base64url(self.pair.sign(nonce.as_bytes()).as_ref())
    }
}

/// A `.creds` file's two parts: the user JWT and the user's seed.
#[derive(Debug, PartialEq)]
pub struct Creds {
    pub jwt: String,
    pub seed: String,
}

/// Reads a `.creds` file as `nsc` writes it: the first dashed block
/// (`-----BEGIN NATS USER JWT-----`) holds the JWT, the second
/// (`-----BEGIN USER NKEY SEED-----`) the seed. The error never quotes the file.
pub fn parse_creds(text: &str) -> Result<Creds, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    let is_dashes = |l: &str| l.starts_with("---") && l.ends_with("---");
    while let Some(l) = lines.next() {
        if is_dashes(l) && l.to_ascii_uppercase().contains("BEGIN") {
            let body: String = lines
                .by_ref()
                .take_while(|l| !is_dashes(l))
                .collect::<Vec<_>>()
                .concat();
            blocks.push(body);
        }
    }
    let mut it = blocks.into_iter();
    let jwt = it
        .next()
        .filter(|j| j.split('.').count() == 3)
        .ok_or("has no `-----BEGIN NATS USER JWT-----` block with a JWT")?;
    let seed = it
        .next()
        .filter(|s| s.starts_with("SU"))
        .ok_or("has no `-----BEGIN USER NKEY SEED-----` block with a user seed (SU…)")?;
    Ok(Creds { jwt, seed })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known vectors: the user seed, its public key and the signature of the
    // nonce `PXoWU7zWAMt75FY` used across the NATS client test suites
    // (nats.py's FOO_USER_SEED / FOO_USER_NKEY, nats-pure.rb and the Elixir
    // nkeys tests assert the same values).
    const SEED: &str = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU";
    const PUBLIC: &str = "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L";
    const SIG_STD: &str =
        "ZaAiVDgB5CeYoXoQ7cBCmq+ZllzUnGUoDVb8C7PilWvCs8XKfUchAUhz2P4BYAF++Dg3w05CqyQFRDiGL6LrDw==";

    #[test]
    fn crc16_matches_the_nats_java_vectors() {
        let cases: &[(&[u8], u16)] = &[
            (b"", 0x0000),
            (b"abc", 0x9DD6),
            (b"ABC", 0x3994),
            (b"This is a string", 0x21E3),
            (b"123456789", 0x31C3),
            (b"abcdefghijklmnopqrstuvwxyz0123456789", 0xCBDE),
            (&[0x7F], 0x8F78),
            (&[0x80], 0x9188),
            (&[0xFF], 0x1EF0),
            (&[0x0, 0x1, 0x7D, 0x7E, 0x7F, 0x80, 0xFE, 0xFF], 0xE26F),
        ];
        for (input, want) in cases {
            assert_eq!(crc16(input), *want, "{input:?}");
        }
    }

    #[test]
    fn base32_and_base64url_round_trip_rfc4648_vectors() {
        // RFC 4648 section 10 (without the padding).
        for (plain, enc) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), enc);
            assert_eq!(base32_decode(enc).unwrap(), plain.as_bytes());
        }
        assert!(
            base32_decode("mzxw6").is_none(),
            "lower case is not NKey text"
        );
        for (plain, enc) in [
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
        ] {
            assert_eq!(base64url(plain.as_bytes()), enc);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn the_known_seed_gives_the_known_public_key_and_signature() {
        let k = UserKey::from_seed(SEED).unwrap();
        assert_eq!(k.public_key(), PUBLIC);
        let want = SIG_STD
            .trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_");
        assert_eq!(k.sign_nonce("PXoWU7zWAMt75FY"), want);
        assert!(!format!("{k:?}").contains(SEED));
        let raw = base32_decode(SEED).unwrap();
        let raw: [u8; 32] = raw[2..34].try_into().unwrap();
        assert_eq!(
            UserKey::seed_text(&raw),
            SEED,
            "encoding is decoding's inverse"
        );
    }

    #[test]
    fn wrong_seeds_are_refused_without_quoting_them() {
        // One character changed: the checksum catches it.
        let typo = SEED.replacen("SUAM", "SUAN", 1);
        let e = UserKey::from_seed(&typo).unwrap_err();
        assert!(e.contains("checksum") && !e.contains(&typo), "{e}");
        assert!(UserKey::from_seed(PUBLIC).unwrap_err().contains("seed"));
        assert!(UserKey::from_seed("SUxyz").is_err());
        assert!(UserKey::from_seed("").is_err());
    }

    #[test]
    fn creds_files_are_read_as_nsc_writes_them() {
        let text = format!(
            "-----BEGIN NATS USER JWT-----\neyJhbGciOi.eyJqdGkiOi.c2ln\n------END NATS USER JWT------\n\n\
             ************************* IMPORTANT *************************\n\
             NKEY Seed printed below can be used to sign and prove identity.\n\n\
             -----BEGIN USER NKEY SEED-----\n{SEED}\n------END USER NKEY SEED------\n\n\
             *************************************************************\n"
        );
        assert_eq!(
            parse_creds(&text).unwrap(),
            Creds {
                jwt: "eyJhbGciOi.eyJqdGkiOi.c2ln".into(),
                seed: SEED.into()
            }
        );
        let e = parse_creds(&format!("{SEED}\n")).unwrap_err();
        assert!(e.contains("JWT") && !e.contains(SEED), "{e}");
        let only_jwt = "-----BEGIN NATS USER JWT-----\na.b.c\n------END NATS USER JWT------\n";
        assert!(parse_creds(only_jwt).unwrap_err().contains("SEED"));
        // A note added by hand, mentioning "begin" and ending in dashes, is not
        // a block: only dashed BEGIN lines open one.
        let noted = format!("# Begin: hookrelay's NATS user ---\n{text}");
        assert_eq!(parse_creds(&noted), parse_creds(&text));
    }
}
