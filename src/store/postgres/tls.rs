//! TLS for the PostgreSQL store, as libpq does it: `sslmode` (disable,
//! allow, prefer, require, verify-ca, verify-full) and `sslrootcert`, from the
//! URL or `key=value` words, else `PGSSLMODE` and `PGSSLROOTCERT`, else
//! libpq's defaults (prefer; `~/.postgresql/root.crt` when it exists).
//!
//! The `postgres` client knows only disable, prefer and require and no root
//! certificate, so [`split`] takes these two settings out of the address
//! before the client reads the rest, and [`Settings::connect`] makes every
//! connection (the store's, a replacement after a lost one, the live queue's,
//! `db copy`'s target) with a rustls connector whose certificate check is the
//! mode's:
//!
//! | sslmode | encrypted | certificate checked |
//! | --- | --- | --- |
//! | disable | never | no |
//! | allow | only when the server refuses a plain connection | as require |
//! | prefer | when the server offers TLS | as require |
//! | require | always | signed by the root certificate when one is given, else not |
//! | verify-ca | always | signed by the root certificate |
//! | verify-full | always | signed by the root certificate, for the host name |
//!
//! A connection over a Unix socket is never encrypted, whatever the mode
//! (PostgreSQL offers no TLS there, and libpq ignores `sslmode` for it).

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// The mode a `sslmode` value names.
    pub fn parse(word: &str) -> Result<SslMode, String> {
        Ok(match word {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => {
                return Err(format!(
                    "sslmode {word:?} is not one of disable, allow, prefer, require, verify-ca, \
                     verify-full"
                ));
            }
        })
    }
}

/// How to reach a PostgreSQL database: the client's settings and the TLS
/// that goes with them. Cloned for each thread that connects.
#[derive(Clone)]
pub struct Settings {
    config: postgres::Config,
    mode: SslMode,
    connector: tokio_postgres_rustls::MakeRustlsConnect,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("config", &self.config)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// A plain `postgres::Config` (its own disable, prefer or require; no root
/// certificate, so nothing verified).
impl From<&postgres::Config> for Settings {
    fn from(config: &postgres::Config) -> Settings {
        let mode = match config.get_ssl_mode() {
            postgres::config::SslMode::Disable => SslMode::Disable,
            postgres::config::SslMode::Require => SslMode::Require,
            _ => SslMode::Prefer,
        };
        Settings::new(config.clone(), mode, None)
    }
}

impl From<postgres::Config> for Settings {
    fn from(config: postgres::Config) -> Settings {
        Settings::from(&config)
    }
}

impl Settings {
    /// `config` connected with `mode`, checking certificates against `roots`
    /// (see the module's table).
    pub(super) fn new(
        mut config: postgres::Config,
        mode: SslMode,
        roots: Option<RootCertStore>,
    ) -> Settings {
        let unix_only = unix_only(&config);
        config.ssl_mode(match mode {
            _ if unix_only => postgres::config::SslMode::Disable,
            SslMode::Disable | SslMode::Allow => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                postgres::config::SslMode::Require
            }
        });
        let mode = if unix_only { SslMode::Disable } else { mode };
        let connector = tokio_postgres_rustls::MakeRustlsConnect::new(client_config(mode, roots));
        Settings {
            config,
            mode,
            connector,
        }
    }

    /// The client's settings (host, user, database, ...).
    pub fn config(&self) -> &postgres::Config {
        &self.config
    }

    /// The client's settings, to change before connecting.
    pub fn config_mut(&mut self) -> &mut postgres::Config {
        &mut self.config
    }

    /// The TLS mode connections are made with (disable for a Unix socket).
    pub fn ssl_mode(&self) -> SslMode {
        self.mode
    }

    /// A new connection. With `allow`, a plain one first, and an encrypted
    /// one when the server refuses it.
    pub fn connect(&self) -> Result<postgres::Client, postgres::Error> {
        let plain = self.config.connect(self.connector.clone());
        match plain {
            Err(e) if self.mode == SslMode::Allow && e.as_db_error().is_some() => {
                let mut encrypted = self.config.clone();
                encrypted.ssl_mode(postgres::config::SslMode::Require);
                encrypted.connect(self.connector.clone())
            }
            other => other,
        }
    }
}

/// Whether every host of `config` is a Unix socket (never encrypted).
pub(super) fn unix_only(config: &postgres::Config) -> bool {
    config
        .get_hosts()
        .iter()
        .all(|h| !matches!(h, postgres::config::Host::Tcp(_)))
}

/// The root certificates in the PEM file `path`.
pub(super) fn roots(path: &Path) -> Result<RootCertStore, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "the root certificate file {} (sslrootcert) cannot be read: {e}",
            path.display()
        )
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        roots.add(cert).map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(unreadable(&"it holds no certificate"));
    }
    Ok(roots)
}

/// Where the root certificates come from when the address names none:
/// `PGSSLROOTCERT`, else `~/.postgresql/root.crt` when it exists (libpq's).
pub(super) fn default_root(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = env("PGSSLROOTCERT") {
        return Some(PathBuf::from(path));
    }
    let home = env("HOME")?;
    let path = Path::new(&home).join(".postgresql").join("root.crt");
    path.is_file().then_some(path)
}

/// The rustls settings for `mode`: the certificate check of the module's
/// table.
fn client_config(mode: SslMode, roots: Option<RootCertStore>) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match roots
        .map(|r| WebPkiServerVerifier::builder_with_provider(Arc::new(r), provider.clone()).build())
    {
        Some(Ok(webpki)) => Arc::new(Checked {
            webpki,
            host_name: mode == SslMode::VerifyFull,
        }),
        // No root (or none usable): only require, prefer and allow get here
        // (verify-ca and verify-full refuse to start without one).
        _ => Arc::new(Unchecked(provider.clone())),
    };
    // ring's provider has TLS 1.2 and 1.3 suites, so the safe defaults
    // are always there (the fallback is the same provider, by crate feature).
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|_| rustls::ClientConfig::builder());
    builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

/// The certificate signed by one of the root certificates, and, when
/// `host_name`, for the host connected to (verify-full); verify-ca checks
/// the signatures only.
#[derive(Debug)]
struct Checked {
    webpki: Arc<WebPkiServerVerifier>,
    host_name: bool,
}

impl ServerCertVerifier for Checked {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let checked = self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match checked {
            // webpki checks the name after the chain, so the chain is good.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.host_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// What rustls says of a certificate, in the coder's words where its own
/// are a bare name (`said` passes every client error through this).
pub(super) fn in_words(text: String) -> String {
    const NOT_SIGNED: &str = "the server's certificate is not signed by the root certificate \
                              given (sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt)";
    text.replace(
        "invalid peer certificate: UnknownIssuer",
        &format!("invalid peer certificate: {NOT_SIGNED}"),
    )
    .replace(
        "invalid peer certificate: BadSignature",
        &format!("invalid peer certificate: {NOT_SIGNED} (its signature is wrong)"),
    )
}

/// Any certificate (require without a root certificate, as libpq): the
/// connection is encrypted, and the handshake's signatures are still checked
/// against the certificate the server sent.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode` and `sslrootcert` taken out of a `postgresql://` URL or libpq
/// `key=value` words: (the rest, sslmode, sslrootcert). Values in a URL are
/// percent-decoded; a quoted word's quotes and escapes are undone.
pub(super) fn split(url: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let mut take = |key: &str, value: String| match key {
        "sslmode" => {
            mode = Some(value);
            true
        }
        "sslrootcert" => {
            root = Some(value);
            true
        }
        _ => false,
    };
    let rest = if super::is_url(url) {
        match url.split_once('?') {
            Some((head, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        !take(key, percent_decoded(value))
                    })
                    .collect();
                if kept.is_empty() {
                    head.to_string()
                } else {
                    format!("{head}?{}", kept.join("&"))
                }
            }
            None => url.to_string(),
        }
    } else {
        match words(url) {
            Some(pairs) => {
                let kept: Vec<&str> = pairs
                    .into_iter()
                    .filter(|(key, value, _)| !take(key, value.clone()))
                    .map(|(_, _, text)| text)
                    .collect();
                kept.join(" ")
            }
            None => url.to_string(),
        }
    };
    (rest, mode, root)
}

/// `text` with `%XX` escapes decoded (left as it is when they are not
/// UTF-8).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// libpq's `key = value` words: (key, value unquoted, the word's text);
/// `None` when they do not parse (the client then says why).
fn words(text: &str) -> Option<Vec<(&str, String, &str)>> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let start = rest;
        let key_end = rest.find(|c: char| c == '=' || c.is_whitespace())?;
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start().strip_prefix('=')?.trim_start();
        let mut value = String::new();
        if let Some(quoted) = rest.strip_prefix('\'') {
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => value.push(chars.next()?.1),
                    (i, '\'') => break i + 1,
                    (_, c) => value.push(c),
                }
            };
            rest = &quoted[end..];
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value.push_str(&rest[..end]);
            rest = &rest[end..];
        }
        out.push((key, value, &start[..start.len() - rest.len()]));
        rest = rest.trim_start();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{SslMode, split};

    fn owned(
        rest: &str,
        mode: Option<&str>,
        root: Option<&str>,
    ) -> (String, Option<String>, Option<String>) {
        (
            rest.to_string(),
            mode.map(str::to_string),
            root.map(str::to_string),
        )
    }

    #[test]
    fn the_tls_settings_come_out_of_a_url() {
        assert_eq!(
            split("postgresql://amy@db/c?sslmode=verify-full&sslrootcert=/etc/ca%20x.pem"),
            owned(
                "postgresql://amy@db/c",
                Some("verify-full"),
                Some("/etc/ca x.pem")
            )
        );
        assert_eq!(
            split("postgres://db/c?application_name=x&sslmode=require&connect_timeout=3"),
            owned(
                "postgres://db/c?application_name=x&connect_timeout=3",
                Some("require"),
                None
            )
        );
        assert_eq!(
            split("postgresql://db/c"),
            owned("postgresql://db/c", None, None)
        );
    }

    #[test]
    fn the_tls_settings_come_out_of_key_value_words() {
        assert_eq!(
            split("host=db sslmode = verify-ca  user=amy sslrootcert='/a b/c\\'s.pem' dbname=c"),
            owned(
                "host=db user=amy dbname=c",
                Some("verify-ca"),
                Some("/a b/c's.pem")
            )
        );
        assert_eq!(
            split("host=/tmp password='a b' dbname=c"),
            owned("host=/tmp password='a b' dbname=c", None, None)
        );
        // Words that do not parse are left for the client to refuse.
        assert_eq!(
            split("host=db sslmode"),
            owned("host=db sslmode", None, None)
        );
    }

    #[test]
    fn every_libpq_mode_is_known_and_nothing_else() {
        let modes = [
            ("disable", SslMode::Disable),
            ("allow", SslMode::Allow),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ];
        for (word, mode) in modes {
            assert_eq!(SslMode::parse(word), Ok(mode));
        }
        let refused = SslMode::parse("verify_full").unwrap_err();
        assert!(refused.contains("verify-full"), "{refused}");
    }
}
