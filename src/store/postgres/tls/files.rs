//! The files behind libpq's TLS settings, found and read as libpq finds and
//! reads them (PostgreSQL's `fe-secure-openssl.c`, `initialize_SSL`): the
//! root certificates, the certificate revocation lists, and the client's
//! certificate and private key. Every refusal names the file and the setting
//! that led to it.

use super::words::TlsWords;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use std::path::{Path, PathBuf};

/// The environment, as the settings read it (empty values count as unset).
pub(in crate::store::postgres) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `~/.postgresql/NAME`, libpq's default files; `None` without a home.
fn home_file(env: Env, name: &str) -> Option<PathBuf> {
    let home = env("HOME")?;
    Some(Path::new(&home).join(".postgresql").join(name))
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

/// `sslrootcert=system`: the system's root certificates, where OpenSSL
/// (libpq's TLS) finds them: `SSL_CERT_FILE` and `SSL_CERT_DIR` when set,
/// else the distribution's bundle and folder (rustls-native-certs). A file
/// that cannot be read is said only when no certificate was found at all,
/// as OpenSSL goes on past one.
pub(super) fn system_roots() -> Result<RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (_added, _skipped) = roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        let why: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
        let why = if why.is_empty() {
            "none was found".to_string()
        } else {
            why.join("; ")
        };
        return Err(format!(
            "sslrootcert=system: the system's root certificates cannot be read ({why}; \
             SSL_CERT_FILE or SSL_CERT_DIR name other ones)"
        ));
    }
    Ok(roots)
}

/// Where the root certificates come from when the address names none:
/// `PGSSLROOTCERT`, else `~/.postgresql/root.crt` when it exists (libpq's).
pub(super) fn default_root(env: Env) -> Option<PathBuf> {
    if let Some(path) = env("PGSSLROOTCERT") {
        return Some(PathBuf::from(path));
    }
    home_file(env, "root.crt").filter(|path| path.is_file())
}

/// Certificate revocation lists and the files they came from.
#[derive(Debug, Default)]
pub(super) struct Crls {
    pub lists: Vec<CertificateRevocationListDer<'static>>,
    /// The files read, with the setting that named each, for messages.
    pub sources: Vec<String>,
}

/// The certificate revocation lists (PEM `X509 CRL`) the server's chain is
/// checked against: `sslcrl` (else `PGSSLCRL`) and every file of `sslcrldir`
/// (else `PGSSLCRLDIR`); with neither, `~/.postgresql/root.crl` when it
/// exists. libpq reads them only when it has root certificates; so does the
/// caller. Unlike libpq, a list named but unreadable is refused rather than
/// silently left out (a revocation check that quietly does not happen).
pub(super) fn crls(words: &TlsWords, env: Env) -> Result<Crls, String> {
    let file = words.crl.clone().or_else(|| env("PGSSLCRL"));
    let dir = words.crl_dir.clone().or_else(|| env("PGSSLCRLDIR"));
    let mut crls = Crls::default();
    if file.is_none() && dir.is_none() {
        if let Some(path) = home_file(env, "root.crl").filter(|p| p.is_file()) {
            crls.read(&path, "~/.postgresql/root.crl", true)?;
        }
        return Ok(crls);
    }
    if let Some(file) = file {
        crls.read(Path::new(&file), "sslcrl", true)?;
    }
    if let Some(dir) = dir {
        let unreadable = |e: std::io::Error| {
            format!("the certificate revocation list folder {dir} (sslcrldir) cannot be read: {e}")
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(unreadable)? {
            let path = entry.map_err(unreadable)?.path();
            if path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        let before = crls.lists.len();
        for path in paths {
            // Files of the folder holding no list are passed over, as
            // OpenSSL's look-up by hash passes over what it does not name.
            crls.read(&path, "sslcrldir", false)?;
        }
        // A folder named for revocation that holds no PEM list would leave
        // the check silently off: refused, as an unreadable list is.
        if crls.lists.len() == before {
            return Err(format!(
                "the certificate revocation list folder {dir} (sslcrldir) holds no PEM \
                 certificate revocation list (X509 CRL)"
            ));
        }
    }
    Ok(crls)
}

impl Crls {
    /// The lists in the PEM file `path`, named by `setting`; none in it is
    /// refused when `required`.
    fn read(&mut self, path: &Path, setting: &str, required: bool) -> Result<(), String> {
        let unreadable = |e: &dyn std::fmt::Display| {
            format!(
                "the certificate revocation list file {} ({setting}) cannot be read: {e}",
                path.display()
            )
        };
        let mut found = 0;
        for crl in CertificateRevocationListDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
            self.lists.push(crl.map_err(|e| unreadable(&e))?);
            found += 1;
        }
        if found == 0 && required {
            return Err(unreadable(
                &"it holds no certificate revocation list (PEM X509 CRL)",
            ));
        }
        if found > 0 {
            self.sources.push(format!("{} ({setting})", path.display()));
        }
        Ok(())
    }
}

/// The client certificate (chain) and its private key, as read.
#[derive(Debug)]
pub(super) struct ClientCert {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
}

/// What the client certificate settings come to: the certificate sent when
/// the server asks for one, or why none is (for the server's refusal).
#[derive(Debug)]
pub(super) enum Identity {
    Sent(ClientCert),
    NotSent(String),
}

/// The client certificate: `sslcert` (else `PGSSLCERT`, else
/// `~/.postgresql/postgresql.crt`), none when that file does not exist (as
/// libpq: the server may not ask for one); with it, its key, `sslkey` (else
/// `PGSSLKEY`, else `~/.postgresql/postgresql.key`), which must exist, be a
/// regular file that group and others cannot read (root-owned: mode 0640 at
/// most), and be decrypted with `sslpassword` when it is encrypted.
/// `sslcertmode=disable` sends none.
pub(super) fn identity(words: &TlsWords, env: Env) -> Result<Identity, String> {
    match words.cert_mode.as_deref() {
        // require: the caller refuses to go on without a certificate.
        None | Some("allow" | "require") => {}
        Some("disable") => return Ok(Identity::NotSent("sslcertmode=disable".into())),
        Some(other) => {
            return Err(format!(
                "sslcertmode {other:?} is not one of disable, allow, require"
            ));
        }
    }
    let Some(cert_path) = words
        .cert
        .clone()
        .or_else(|| env("PGSSLCERT"))
        .map(PathBuf::from)
        .or_else(|| home_file(env, "postgresql.crt"))
    else {
        return Ok(Identity::NotSent(
            "no sslcert given and no home folder".into(),
        ));
    };
    if let Err(e) = std::fs::metadata(&cert_path) {
        use std::io::ErrorKind::{NotADirectory, NotFound};
        return match e.kind() {
            NotFound | NotADirectory => Ok(Identity::NotSent(format!(
                "{} (sslcert) does not exist",
                cert_path.display()
            ))),
            _ => Err(format!(
                "the client certificate file {} (sslcert) cannot be opened: {e}",
                cert_path.display()
            )),
        };
    }
    let chain = client_chain(&cert_path)?;
    let key_path = words
        .key
        .clone()
        .or_else(|| env("PGSSLKEY"))
        .map(PathBuf::from)
        .or_else(|| home_file(env, "postgresql.key"))
        .ok_or_else(|| {
            format!(
                "certificate present ({}, sslcert), but no private key file: name it with sslkey",
                cert_path.display()
            )
        })?;
    let key = private_key(&cert_path, &key_path, words.password.as_deref())?;
    Ok(Identity::Sent(ClientCert {
        chain,
        key,
        cert_path,
        key_path,
    }))
}

/// The certificates of the PEM file `path` (the client's first).
fn client_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "the client certificate file {} (sslcert) cannot be read: {e}",
            path.display()
        )
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(&e))?;
    if chain.is_empty() {
        return Err(unreadable(&"it holds no certificate (PEM)"));
    }
    Ok(chain)
}

/// The private key in `path` (PEM, else DER; an encrypted one decrypted
/// with `password`, libpq's `sslpassword`, see `key.rs`), refused as libpq
/// refuses it.
fn private_key(
    cert: &Path,
    path: &Path,
    password: Option<&str>,
) -> Result<PrivateKeyDer<'static>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "certificate present ({}, sslcert), but not private key file {shown} (sslkey)",
            cert.display()
        ),
        _ => format!("the private key file {shown} (sslkey) cannot be opened: {e}"),
    })?;
    if !meta.is_file() {
        return Err(format!(
            "the private key file {shown} (sslkey) is not a regular file"
        ));
    }
    if let Some(refusal) = too_open(&meta) {
        return Err(format!("the private key file {shown} (sslkey) {refusal}"));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("the private key file {shown} (sslkey) cannot be read: {e}"))?;
    if let Some(format) = super::key::encrypted(&bytes) {
        return super::key::decrypt(&bytes, format, password, &shown.to_string());
    }
    PrivateKeyDer::from_pem_slice(&bytes)
        .or_else(|_| PrivateKeyDer::try_from(bytes))
        .map_err(|_| {
            format!(
                "the private key file {shown} (sslkey) holds no private key that can be read \
                 (PEM or DER: PKCS#8, PKCS#1 RSA or SEC1 EC)"
            )
        })
}

/// libpq's refusal of a key file others may read: a root-owned file may be
/// group-readable (mode 0640 at most), any other must be the owner's alone
/// (0600 at most).
#[cfg(unix)]
fn too_open(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::MetadataExt;
    let mode = meta.mode();
    let open = if meta.uid() == 0 {
        mode & 0o037 != 0
    } else {
        mode & 0o077 != 0
    };
    open.then_some(
        "has group or world access; file must have permissions u=rw (0600) or less if owned by \
         the current user, or permissions u=rw,g=r (0640) or less if owned by root",
    )
}

#[cfg(not(unix))]
fn too_open(_meta: &std::fs::Metadata) -> Option<&'static str> {
    None
}
