//! TLS for the PostgreSQL store, as libpq does it: `sslmode` (disable,
//! allow, prefer, require, verify-ca, verify-full), `sslrootcert`, the
//! client certificate (`sslcert`, `sslkey`, `sslpassword` for an encrypted
//! key, `sslcertmode`) and revocation lists (`sslcrl`, `sslcrldir`), from the URL or `key=value` words, else
//! `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY`, `PGSSLCRL`,
//! `PGSSLCRLDIR`, else libpq's defaults (prefer; `~/.postgresql/root.crt`,
//! `postgresql.crt`, `postgresql.key` and `root.crl` when they exist).
//! `sslrootcert=system` trusts the system's root certificates (libpq 16's:
//! OpenSSL's bundle, or `SSL_CERT_FILE` / `SSL_CERT_DIR`) and requires
//! verify-full, its default then; a weaker mode is refused.
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
//! How the certificate is checked: `verify.rs`. The files are read again
//! for each connection ([`Plan`]); an encrypted key is decrypted with
//! `sslpassword` (`key.rs`); `sslcertmode=require` fails a connection whose
//! server did not ask for the client certificate (`connector.rs`).
//!
//! A connection over a Unix socket is never encrypted, whatever the mode
//! (PostgreSQL offers no TLS there, and libpq ignores `sslmode` for it).

mod connector;
mod files;
mod key;
mod names;
mod verify;
mod words;

use super::PgError;
use connector::Connector;
use files::{ClientCert, Crls, Env, Identity};
use rustls::RootCertStore;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use std::path::PathBuf;
use std::sync::Arc;
use verify::{Checked, NAME_MARK, Unchecked};
use words::TlsWords;

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
    /// Makes each connection's TLS, its files read again (see [`Plan`]).
    connector: Connector,
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
        let plan = Plan {
            mode,
            words: TlsWords::default(),
            env: Vec::new(),
            files: false,
        };
        let built = Built {
            tls: builder(Arc::new(Unchecked(provider())), provider()).with_no_client_auth(),
            client_note: String::new(),
            client_sent: false,
        };
        Settings::with_plan(config.clone(), plan, built)
    }
}

impl From<postgres::Config> for Settings {
    fn from(config: postgres::Config) -> Settings {
        Settings::from(&config)
    }
}

/// What a connection's TLS is made from, again for every connection: the
/// certificate, key, root and revocation list files are read anew each
/// time, so a file renewed on disk (a certificate replaced before it
/// expires, a new revocation list) holds from the next connection on, the
/// replacement of a lost one included, as libpq reads them at each
/// connection. The environment is read once, when the settings are made.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    mode: SslMode,
    words: TlsWords,
    /// The `PGSSL…` variables and `HOME`, as they were.
    env: Vec<(String, String)>,
    /// Whether any file is read (not for disable or a Unix socket).
    files: bool,
}

/// The environment variables the TLS settings read.
const ENV_NAMES: [&str; 7] = [
    "PGSSLROOTCERT",
    "PGSSLCRL",
    "PGSSLCRLDIR",
    "PGSSLCERT",
    "PGSSLKEY",
    "PGSSLMODE",
    "HOME",
];

impl Plan {
    /// `sslcertmode=require`: the server must ask for the certificate.
    pub(super) fn cert_required(&self) -> bool {
        self.words.cert_mode.as_deref() == Some("require")
    }

    /// The rustls settings of this plan, its files read now.
    pub(super) fn build(&self) -> Result<Built, String> {
        let env = |name: &str| {
            self.env
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let files = if self.files {
            read_files(self.mode, &self.words, &env)?
        } else {
            Files::default()
        };
        if self.cert_required()
            && let Some(why) = &files.client_missing
        {
            return Err(format!(
                "sslcertmode=require, but no client certificate can be sent: {why}"
            ));
        }
        let client_sent = files.client.is_some();
        let client_note = files.client_note.clone();
        Ok(Built {
            tls: tls_config(self.mode, files)?,
            client_note,
            client_sent,
        })
    }
}

/// One connection's rustls settings and what they send.
pub(super) struct Built {
    pub(super) tls: rustls::ClientConfig,
    client_note: String,
    client_sent: bool,
}

/// What the TLS settings' files hold (see `files.rs`).
#[derive(Debug, Default)]
struct Files {
    roots: Option<RootCertStore>,
    crls: Crls,
    client: Option<ClientCert>,
    /// Which client certificate is sent, or why none is, for messages.
    client_note: String,
    /// Why no client certificate is sent, when none is.
    client_missing: Option<String>,
}

/// The settings of `url` (see [`super::settings`]): the client's, with the
/// TLS words taken out, and the TLS they ask for, the environment `env`
/// filling in what the address leaves out.
pub(super) fn settings(url: &str, env: Env) -> Result<Settings, PgError> {
    let (rest, words) = words::split(url);
    let mode = ssl_mode(&words, env).map_err(PgError::Tls)?;
    let config = super::client_config(url, &rest)?;
    let plain = unix_only(&config) || mode == SslMode::Disable;
    if plain && words.cert_mode.as_deref() == Some("require") {
        let why = if mode == SslMode::Disable {
            "sslmode=disable"
        } else {
            "a Unix socket (never encrypted)"
        };
        return Err(PgError::Tls(format!(
            "sslcertmode=require needs an encrypted connection, and {why} is not one: the \
             server cannot ask for a client certificate"
        )));
    }
    let plan = Plan {
        mode,
        env: ENV_NAMES
            .iter()
            .filter_map(|name| env(name).map(|v| (name.to_string(), v)))
            .collect(),
        words,
        files: !plain,
    };
    let built = plan.build().map_err(PgError::Tls)?;
    Ok(Settings::with_plan(config, plan, built))
}

/// libpq's `sslrootcert=system`: the system's root certificates.
const SYSTEM: &str = "system";

/// The `sslmode` of `words`, else `PGSSLMODE`, else libpq's default:
/// prefer, or verify-full with `sslrootcert=system` (from the address or
/// `PGSSLROOTCERT`), which refuses any other mode as libpq 16 does (a public
/// authority signs a certificate for any name its owner holds, so only the
/// host name check makes the system's roots safe).
fn ssl_mode(words: &TlsWords, env: Env) -> Result<SslMode, String> {
    let system = words
        .root
        .clone()
        .or_else(|| env("PGSSLROOTCERT"))
        .as_deref()
        == Some(SYSTEM);
    let Some(word) = words.mode.clone().or_else(|| env("PGSSLMODE")) else {
        return Ok(if system {
            SslMode::VerifyFull
        } else {
            SslMode::Prefer
        });
    };
    let mode = SslMode::parse(&word)?;
    if system && mode != SslMode::VerifyFull {
        return Err(format!(
            "weak sslmode \"{word}\" may not be used with sslrootcert=system (use \"verify-full\")"
        ));
    }
    Ok(mode)
}

/// The files of the TLS settings `words` with `mode`, the environment `env`
/// filling in what they leave out.
fn read_files(mode: SslMode, words: &TlsWords, env: Env) -> Result<Files, String> {
    let root = words.root.clone().map(PathBuf::from);
    let roots = match (mode, root.or_else(|| files::default_root(env))) {
        (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
            return Err(format!(
                "sslmode={} needs the certificate of the authority that signed the server's: \
                 sslrootcert=FILE (or PGSSLROOTCERT, or ~/.postgresql/root.crt)",
                if mode == SslMode::VerifyCa {
                    "verify-ca"
                } else {
                    "verify-full"
                }
            ));
        }
        (_, Some(path)) if path.as_os_str() == SYSTEM => Some(files::system_roots()?),
        (_, Some(path)) => Some(files::roots(&path)?),
        (_, None) => None,
    };
    // libpq reads the revocation lists only with root certificates.
    let crls = match roots {
        Some(_) => files::crls(words, env)?,
        None => Crls::default(),
    };
    let (client, client_note, client_missing) = match files::identity(words, env)? {
        Identity::Sent(cert) => {
            let note = format!(
                "the client certificate sent was {} (sslcert, key {})",
                cert.cert_path.display(),
                cert.key_path.display()
            );
            (Some(cert), note, None)
        }
        Identity::NotSent(why) => (
            None,
            format!("no client certificate was sent: {why}"),
            Some(why),
        ),
    };
    Ok(Files {
        roots,
        crls,
        client,
        client_note,
        client_missing,
    })
}

/// ring's provider, rustls's cryptography here.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls settings checking certificates against the root certificates
/// and revocation lists of `files` as `mode` asks (see the module's table),
/// showing its client certificate when the server asks.
fn tls_config(mode: SslMode, files: Files) -> Result<rustls::ClientConfig, String> {
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = match files.roots {
        Some(roots) => Arc::new(Checked::new(
            roots,
            files.crls.lists,
            files.crls.sources.join(", "),
            provider.clone(),
            mode == SslMode::VerifyFull,
        )?),
        // No root: only require, prefer and allow get here (verify-ca
        // and verify-full refuse to start without one).
        None => Arc::new(Unchecked(provider.clone())),
    };
    let builder = builder(verifier, provider);
    match files.client {
        None => Ok(builder.with_no_client_auth()),
        Some(cert) => builder
            .with_client_auth_cert(cert.chain, cert.key)
            .map_err(|e| {
                format!(
                    "the client certificate {} (sslcert) and the private key file {} (sslkey) \
                     cannot be used together: {e}",
                    cert.cert_path.display(),
                    cert.key_path.display()
                )
            }),
    }
}

impl Settings {
    /// `config` connected as `plan` says, `built` its first TLS settings.
    fn with_plan(mut config: postgres::Config, plan: Plan, built: Built) -> Settings {
        let unix_only = unix_only(&config);
        let mode = plan.mode;
        config.ssl_mode(match mode {
            _ if unix_only => postgres::config::SslMode::Disable,
            // Only an encrypted connection can have the server ask for the
            // client certificate sslcertmode=require wants.
            SslMode::Allow | SslMode::Prefer if plan.cert_required() => {
                postgres::config::SslMode::Require
            }
            SslMode::Disable | SslMode::Allow => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                postgres::config::SslMode::Require
            }
        });
        let mode = if unix_only { SslMode::Disable } else { mode };
        let (client_note, client_sent) = (built.client_note.clone(), built.client_sent);
        Settings {
            config,
            mode,
            connector: Connector::new(plan, built.tls),
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

    /// A new connection, its TLS files read again (see [`Plan`]). With
    /// `allow`, a plain one first, and an encrypted one when the server
    /// refuses it.
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
        // sslcertmode=require's refusal: none was asked for, so none sent.
        let about_it = about_it && !text.contains(connector::NOT_ASKED);
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

/// What rustls says of a certificate, in the coder's words where its own
/// are a bare name (`said` passes every client error through this).
pub(super) fn in_words(text: String) -> String {
    const NOT_SIGNED: &str = "the server's certificate is not signed by the root certificate \
                              given (sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt; \
                              sslrootcert=system: by none of the system's)";
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
