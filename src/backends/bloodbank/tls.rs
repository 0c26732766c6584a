//! TLS for Bloodbank's NATS mode: which certificates are trusted (the webpki
//! roots, plus the PEM `backends.bloodbank.tls.ca_file`), and the client side of
//! the handshake NATS does after its plain-text INFO line.
//!
//! rustls and webpki-roots are the ones ureq already compiles in (ring
//! provider): the HTTP backends and this one share the code, not a second TLS
//! stack. The handshake is synchronous on the same `std` socket, bounded by the
//! publish deadline through the socket's timeouts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::backends::status::held_message;

/// The config field a certificate failure names.
pub const CA_FILE_FIELD: &str = "backends.bloodbank.tls.ca_file";

/// What the config says about TLS (validated: the CA file is read).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TlsSetup {
    /// The file the extra CAs came from (for messages).
    pub ca_file: Option<String>,
    /// Its certificates, trusted beside the webpki roots.
    pub ca: Vec<CertificateDer<'static>>,
}

/// The certificates of a PEM file; the error names what is wrong, not the content.
pub fn read_ca_file(path: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}` ({e})"))?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("`{path}` is not a readable PEM file ({e:?})"))?;
    if certs.is_empty() {
        return Err(format!(
            "`{path}` holds no `-----BEGIN CERTIFICATE-----` block"
        ));
    }
    Ok(certs)
}

/// A client configuration trusting the webpki roots and the setup's CAs.
fn client_config(setup: &TlsSetup) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let (_, ignored) = roots.add_parsable_certificates(setup.ca.iter().cloned());
    if ignored > 0 && setup.ca.len() == ignored {
        return Err(held_message(&format!(
            "no certificate in {} is a usable CA: check {CA_FILE_FIELD}",
            setup.ca_file.as_deref().unwrap_or("the CA file")
        )));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A plain or TLS connection to the server, read and written alike.
pub trait Io: Read + Write {}
impl<T: Read + Write> Io for T {}

/// Runs the TLS handshake on `sock` (after the server's INFO), verifying the
/// certificate for `host`, within `left`. A certificate the trusted roots do
/// not vouch for is a configuration problem (held, naming `ca_file`); a
/// timeout says so; the rest is a TLS failure with rustls' words.
pub fn handshake(
    sock: TcpStream,
    host: &str,
    setup: &TlsSetup,
    left: Duration,
) -> Result<StreamOwned<ClientConnection, TcpStream>, String> {
    let config = client_config(setup)?;
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| format!("`{host}` is not a host name TLS can verify"))?;
    let mut conn =
        ClientConnection::new(config, name).map_err(|e| format!("TLS setup failed: {e}"))?;
    let timeout = Some(left.max(Duration::from_millis(1)));
    sock.set_read_timeout(timeout).map_err(|e| e.to_string())?;
    sock.set_write_timeout(timeout).map_err(|e| e.to_string())?;
    let mut sock = sock;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut sock) {
            return Err(handshake_error(&e, setup));
        }
    }
    Ok(StreamOwned::new(conn, sock))
}

/// Words for a failed handshake.
fn handshake_error(e: &std::io::Error, setup: &TlsSetup) -> String {
    use std::io::ErrorKind;
    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
        return "no TLS handshake before the deadline (server hanging or slow?)".into();
    }
    let tls = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match tls {
        Some(rustls::Error::InvalidCertificate(why)) => {
            let fix = match &setup.ca_file {
                None => format!(
                    "set {CA_FILE_FIELD} to the PEM file of the CA that signed the server's certificate"
                ),
                Some(f) => format!(
                    "the server's certificate is not signed by a CA in {f} (nor a public one): fix {CA_FILE_FIELD}, or the server's certificate (its names must include the URL's host)"
                ),
            };
            held_message(&format!(
                "TLS handshake failed: invalid server certificate ({why:?}): {fix}"
            ))
        }
        Some(other) => format!("TLS handshake failed: {other}"),
        None if e.kind() == ErrorKind::UnexpectedEof => {
            "the server closed the connection during the TLS handshake".into()
        }
        None => format!("TLS handshake failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_files_are_read_or_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let e = read_ca_file(missing.to_str().unwrap()).unwrap_err();
        assert!(e.contains("cannot read") && e.contains("nope.pem"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "just text\n").unwrap();
        let e = read_ca_file(empty.to_str().unwrap()).unwrap_err();
        assert!(e.contains("no `-----BEGIN CERTIFICATE-----`"), "{e}");
    }

    #[test]
    fn an_unknown_issuer_is_a_held_configuration_problem_naming_ca_file() {
        let e = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let m = handshake_error(&e, &TlsSetup::default());
        assert!(m.contains(CA_FILE_FIELD), "{m}");
        assert!(crate::backends::status::config_problem(&m).is_some(), "{m}");
        let t = handshake_error(
            &std::io::Error::from(std::io::ErrorKind::WouldBlock),
            &TlsSetup::default(),
        );
        assert!(t.contains("deadline"));
        assert!(crate::backends::status::config_problem(&t).is_none());
    }
}
