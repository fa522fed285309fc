//! TLS for the PostgreSQL store, as libpq does it: `sslmode` (disable,
//! allow, prefer, require, verify-ca, verify-full), `sslrootcert`, the
//! client certificate (`sslcert`, `sslkey`, `sslcertmode`) and revocation
//! lists (`sslcrl`, `sslcrldir`), from the URL or `key=value` words, else
//! `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY`, `PGSSLCRL`,
//! `PGSSLCRLDIR`, else libpq's defaults (prefer; `~/.postgresql/root.crt`,
//! `postgresql.crt`, `postgresql.key` and `root.crl` when they exist).
//!
//! The `postgres` client knows only disable, prefer and require and none of
//! the files, so [`words::split`] takes these settings out of the address
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
//! Signed by the root certificate: webpki's chain check, with the revocation
//! lists when there are any (every certificate of the chain but the root
//! must then be covered by an unexpired list of its issuer, as OpenSSL's
//! `X509_V_FLAG_CRL_CHECK_ALL` which libpq sets). For the host name:
//! webpki's subjectAltName check, and where it refuses, libpq's own rule
//! ([`names`]), which also takes the Common Name of a certificate with no
//! subjectAltName of the host's type.
//!
//! A connection over a Unix socket is never encrypted, whatever the mode
//! (PostgreSQL offers no TLS there, and libpq ignores `sslmode` for it).

mod files;
mod names;
mod words;

use super::PgError;
use files::{ClientCert, Crls, Env, Identity};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::PathBuf;
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
    /// Which client certificate is sent, or why none is (for messages).
    client_note: String,
    /// Whether a client certificate is sent when the server asks.
    client_sent: bool,
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
/// certificate, so nothing verified; no client certificate).
impl From<&postgres::Config> for Settings {
    fn from(config: &postgres::Config) -> Settings {
        let mode = match config.get_ssl_mode() {
            postgres::config::SslMode::Disable => SslMode::Disable,
            postgres::config::SslMode::Require => SslMode::Require,
            _ => SslMode::Prefer,
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = builder(Arc::new(Unchecked(provider.clone())), provider).with_no_client_auth();
        Settings::with_tls(config.clone(), mode, tls, String::new(), false)
    }
}

impl From<postgres::Config> for Settings {
    fn from(config: postgres::Config) -> Settings {
        Settings::from(&config)
    }
}

/// What the TLS settings' files hold (see `files.rs`).
#[derive(Debug, Default)]
struct Files {
    roots: Option<RootCertStore>,
    crls: Crls,
    client: Option<ClientCert>,
    /// Which client certificate is sent, or why none is, for messages.
    client_note: String,
}

/// The settings of `url` (see [`super::settings`]): the client's, with the
/// TLS words taken out, and the TLS they ask for, the environment `env`
/// filling in what the address leaves out.
pub(super) fn settings(url: &str, env: Env) -> Result<Settings, PgError> {
    let (rest, words) = words::split(url);
    let mode = match words.mode.clone().or_else(|| env("PGSSLMODE")) {
        Some(word) => SslMode::parse(&word).map_err(PgError::Tls)?,
        None => SslMode::Prefer,
    };
    let config = super::client_config(url, &rest)?;
    if words.root.as_deref() == Some("system") {
        return Err(PgError::Tls(
            "sslrootcert=system (the system's authorities) is not supported: name the PEM file \
             of the authority that signed the server's certificate"
                .into(),
        ));
    }
    if unix_only(&config) || mode == SslMode::Disable {
        return Settings::new(config, mode, Files::default()).map_err(PgError::Tls);
    }
    let root = words.root.clone().map(PathBuf::from);
    let roots = match (mode, root.or_else(|| files::default_root(env))) {
        (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
            return Err(PgError::Tls(format!(
                "sslmode={} needs the certificate of the authority that signed the server's: \
                 sslrootcert=FILE (or PGSSLROOTCERT, or ~/.postgresql/root.crt)",
                if mode == SslMode::VerifyCa {
                    "verify-ca"
                } else {
                    "verify-full"
                }
            )));
        }
        (_, Some(path)) => Some(files::roots(&path).map_err(PgError::Tls)?),
        (_, None) => None,
    };
    // libpq reads the revocation lists only with root certificates.
    let crls = match roots {
        Some(_) => files::crls(&words, env).map_err(PgError::Tls)?,
        None => Crls::default(),
    };
    let (client, client_note) = match files::identity(&words, env).map_err(PgError::Tls)? {
        Identity::Sent(cert) => {
            let note = format!(
                "the client certificate sent was {} (sslcert, key {})",
                cert.cert_path.display(),
                cert.key_path.display()
            );
            (Some(cert), note)
        }
        Identity::NotSent(why) => (None, format!("no client certificate was sent: {why}")),
    };
    let files = Files {
        roots,
        crls,
        client,
        client_note,
    };
    Settings::new(config, mode, files).map_err(PgError::Tls)
}

impl Settings {
    /// `config` connected with `mode`, checking certificates against the
    /// root certificates and revocation lists of `files` (see the module's
    /// table) and showing its client certificate when the server asks.
    fn new(config: postgres::Config, mode: SslMode, files: Files) -> Result<Settings, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let sources = files.crls.sources.join(", ");
        let client_sent = files.client.is_some();
        let verifier: Arc<dyn ServerCertVerifier> = match files.roots {
            Some(roots) => {
                let mut webpki =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone());
                if !files.crls.lists.is_empty() {
                    // OpenSSL refuses an expired list; so does this.
                    webpki = webpki
                        .with_crls(files.crls.lists)
                        .enforce_revocation_expiration();
                }
                let webpki = webpki.build().map_err(|e| {
                    format!(
                        "the root certificates and revocation lists ({sources}) cannot be used: {e}"
                    )
                })?;
                Arc::new(Checked {
                    webpki,
                    host_name: mode == SslMode::VerifyFull,
                    crls: sources.clone(),
                })
            }
            // No root: only require, prefer and allow get here (verify-ca
            // and verify-full refuse to start without one).
            None => Arc::new(Unchecked(provider.clone())),
        };
        let builder = builder(verifier, provider);
        let tls = match files.client {
            None => builder.with_no_client_auth(),
            Some(cert) => builder
                .with_client_auth_cert(cert.chain, cert.key)
                .map_err(|e| {
                    format!(
                        "the client certificate {} (sslcert) and the private key file {} \
                         (sslkey) cannot be used together: {e}",
                        cert.cert_path.display(),
                        cert.key_path.display()
                    )
                })?,
        };
        Ok(Settings::with_tls(
            config,
            mode,
            tls,
            files.client_note,
            client_sent,
        ))
    }

    /// `config` connected with `mode` over `tls`.
    fn with_tls(
        mut config: postgres::Config,
        mode: SslMode,
        tls: rustls::ClientConfig,
        client_note: String,
        client_sent: bool,
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
        Settings {
            config,
            mode,
            connector: tokio_postgres_rustls::MakeRustlsConnect::new(tls),
            client_note,
            client_sent,
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

    /// `text`, a refusal to connect, with which client certificate was sent
    /// (or why none was) when the refusal is about it (the server's
    /// "connection requires a valid client certificate", "certificate
    /// authentication failed", a TLS alert it sent in reply to the
    /// certificate, or any refused login when a certificate was sent).
    pub fn explain(&self, text: String) -> String {
        const ABOUT_IT: [&str; 4] = [
            "client certificate",
            "certificate authentication failed",
            "clientcert",
            "received fatal alert",
        ];
        // Any refused login (clientcert=verify-full's is "\"trust\"
        // authentication failed") when a certificate was sent.
        let about_it = ABOUT_IT.iter().any(|w| text.contains(w))
            || (self.client_sent && text.contains("authentication failed"));
        if self.client_note.is_empty() || !about_it {
            return text;
        }
        format!("{text} ({})", self.client_note)
    }
}

/// Whether every host of `config` is a Unix socket (never encrypted).
pub(super) fn unix_only(config: &postgres::Config) -> bool {
    config
        .get_hosts()
        .iter()
        .all(|h| !matches!(h, postgres::config::Host::Tcp(_)))
}

/// The rustls settings with `verifier` as the certificate check, before the
/// client certificate.
fn builder(
    verifier: Arc<dyn ServerCertVerifier>,
    provider: Arc<CryptoProvider>,
) -> rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert> {
    // ring's provider has TLS 1.2 and 1.3 suites, so the safe defaults
    // are always there (the fallback is the same provider, by crate feature).
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|_| rustls::ClientConfig::builder());
    builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
}

/// The certificate signed by one of the root certificates, and, when
/// `host_name`, for the host connected to (verify-full); verify-ca checks
/// the signatures only.
#[derive(Debug)]
struct Checked {
    webpki: Arc<WebPkiServerVerifier>,
    host_name: bool,
    /// The revocation list files read, with their settings (for messages).
    crls: String,
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
            Err(
                refused @ rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                ),
            ) => libpq_name_check(end_entity, server_name, refused),
            Err(rustls::Error::InvalidCertificate(why)) => {
                Err(revocation_in_words(why, &self.crls))
            }
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

/// verify-full for a certificate whose chain webpki verified but whose
/// names it `refused`: libpq's rule ([`names`]) decides, and a certificate
/// refused by that too is refused saying which names it has.
fn libpq_name_check(
    cert: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    refused: rustls::Error,
) -> Result<ServerCertVerified, rustls::Error> {
    let (Some(names), Some(host)) = (names::Names::of(cert), names::Host::of(server_name)) else {
        return Err(refused);
    };
    if names.match_host(&host) {
        return Ok(ServerCertVerified::assertion());
    }
    // webpki's refusal lists the subjectAltName entries; one without any
    // is refused naming its Common Name instead.
    match &names.common_name {
        Some(cn) if names.dns.is_empty() && names.ips.is_empty() => {
            Err(rustls::Error::General(format!(
                "{NAME_MARK} is made out to \"{cn}\" (its Common Name; it has no \
                 subjectAltName), not to the host name \"{}\" (sslmode=verify-full)",
                host.text
            )))
        }
        _ => Err(refused),
    }
}

/// A refusal of the server's certificate chain `why`, in words naming the
/// revocation list files `crls` when it is about revocation.
fn revocation_in_words(why: CertificateError, crls: &str) -> rustls::Error {
    let said = match &why {
        CertificateError::Revoked => "is revoked by a certificate revocation list read".to_string(),
        CertificateError::UnknownRevocationStatus => {
            "(or one of its chain) cannot be checked for revocation: no certificate revocation \
             list read is from the authority that signed it"
                .to_string()
        }
        CertificateError::ExpiredRevocationList
        | CertificateError::ExpiredRevocationListContext { .. } => {
            format!("cannot be checked for revocation: {why}")
        }
        _ => return rustls::Error::InvalidCertificate(why),
    };
    rustls::Error::General(format!("{NAME_MARK} {said} ({crls})"))
}

/// How a refusal of [`libpq_name_check`] or [`revocation_in_words`] starts
/// (found again by [`in_words`]).
const NAME_MARK: &str = "the server's certificate";

/// What rustls says of a certificate, in the coder's words where its own
/// are a bare name (`said` passes every client error through this).
pub(super) fn in_words(text: String) -> String {
    const NOT_SIGNED: &str = "the server's certificate is not signed by the root certificate \
                              given (sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt)";
    let replacements = [
        (
            "invalid peer certificate: UnknownIssuer".to_string(),
            format!("invalid peer certificate: {NOT_SIGNED}"),
        ),
        (
            "invalid peer certificate: BadSignature".to_string(),
            format!("invalid peer certificate: {NOT_SIGNED} (its signature is wrong)"),
        ),
        (
            "received fatal alert: UnknownCA".to_string(),
            "received fatal alert: UnknownCA (the server does not trust the authority that \
             signed the client certificate)"
                .to_string(),
        ),
        (
            format!("unexpected error: {NAME_MARK}"),
            NAME_MARK.to_string(),
        ),
    ];
    replacements
        .iter()
        .fold(text, |text, (from, to)| text.replace(from, to))
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

#[cfg(test)]
mod tests {
    use super::SslMode;

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
