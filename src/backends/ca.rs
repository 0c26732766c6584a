//! The certificates of a backend's `ca_file` (and of the system's CA bundle):
//! PEM parsed with ureq's own parser, so trusting a private CA adds no crate.

use ureq::tls::{Certificate, PemItem, parse_pem};

/// Every certificate in a PEM text; other items (keys, CRLs) are skipped.
/// An unparsable block is an error (a truncated or mangled file).
pub fn certificates(pem: &[u8]) -> Result<Vec<Certificate<'static>>, String> {
    let mut out = Vec::new();
    for item in parse_pem(pem) {
        match item {
            Ok(PemItem::Certificate(c)) => out.push(c),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_certificates_gives_none() {
        assert!(
            certificates(b"not a certificate\n")
                .unwrap_or_default()
                .is_empty()
        );
        assert!(certificates(b"").unwrap().is_empty());
    }
}
