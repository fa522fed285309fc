//! What tests/pg_tls.rs and tests/pg_tls_keys.rs share: certificate
//! authorities, certificates and revocation lists made here, the files
//! they are written to, the tests' own servers (TLS only; client
//! certificates), and how a connection is opened, refused or looked at.
#![allow(dead_code)]

use crate::common::pg::{PrivateServer, Tcp};
use chartcoder::domain::ChartStatus;
use chartcoder::store::coding::{self, Claim};
use chartcoder::store::queue::{self, QueueFilter};
use chartcoder::store::{Store, StoreError, StoreOptions, audit, charts};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer,
    KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber, date_time_ymd,
};
use std::path::{Path, PathBuf};

/// A certificate authority: its certificate (PEM) and what signs with it.
pub struct Authority {
    pub pem: String,
    pub issuer: Issuer<'static, KeyPair>,
}

pub fn authority(name: &str) -> Authority {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Authority {
        pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

/// A server certificate for `localhost` only, signed by `ca`: (cert, key).
pub fn server_cert(ca: &Authority) -> (String, String) {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// `pem` in a file in `dir`; its path.
pub fn file(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

pub fn open(url: &str) -> Result<Store, StoreError> {
    Store::open_url(url, &StoreOptions::default())
}

/// Whether the store's own connection is encrypted, as the server sees it.
pub fn encrypted(store: &Store) -> bool {
    store
        .conn()
        .query_row(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// The error opening `url`, as the coder reads it.
pub fn refused(url: &str) -> String {
    match open(url) {
        Ok(_) => panic!("{url} connected"),
        Err(e) => {
            let text = e.to_string();
            eprintln!("refused: {text}");
            text
        }
    }
}

/// A TLS-only server (its CA's certificate in a file beside it), a database
/// `charts` on it, and a folder for root certificate files.
pub struct TlsServer {
    pub server: PrivateServer,
    pub ca: PathBuf,
    pub other_ca: PathBuf,
    _files: tempfile::TempDir,
}

pub fn tls_server() -> Option<TlsServer> {
    let ca = authority("chartcoder test CA");
    let server = tls_only_server(server_cert(&ca))?;
    let files = tempfile::tempdir().unwrap();
    Some(TlsServer {
        ca: file(files.path(), "ca.pem", &ca.pem),
        other_ca: file(files.path(), "other.pem", &authority("someone else").pem),
        server,
        _files: files,
    })
}

/// A server letting in TCP connections with TLS only (`hostssl`), showing
/// `cert` (cert, key), asking for no client certificate, with a database
/// `charts`; None (the test skips) without the server programs.
pub fn tls_only_server(cert: (String, String)) -> Option<PrivateServer> {
    let server = PrivateServer::start_tcp(Tcp {
        tls: Some(cert),
        hostssl_only: true,
        client_certs: None,
    })?;
    server.create("charts");
    Some(server)
}

/// Ends every other session on `db` (as a network or a restart would): a
/// store's next statement finds its connection lost.
pub fn drop_connections(server: &PrivateServer, db: &str) {
    let mut admin = chartcoder::store::postgres::connect(&server.url("postgres")).unwrap();
    admin
        .execute(
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = '{db}' AND pid <> pg_backend_pid()"
            ),
            &[],
        )
        .unwrap();
}

/// `ca` (a root certificate file, PEM) in a new folder: (the folder, the
/// file's path as text).
pub fn root_file(ca: &Authority) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = file_mode(dir.path(), "ca.pem", &ca.pem, 0o644);
    (dir, root)
}

/// URL words for `verify-full` against the root `root`, sending the client
/// certificate `crt` with its key `key` (paths).
pub fn client_words(root: &str, crt: &str, key: &str) -> String {
    format!("sslmode=verify-full&sslrootcert={root}&sslcert={crt}&sslkey={key}")
}

/// A coder's round trip on `store`: the demo queue, a claim and a coding
/// change, each with its audit row.
pub fn coder_round_trip(store: &mut Store) {
    chartcoder::demo::seed(store).unwrap();
    let ready = charts::chart_ids(store.conn(), Some(ChartStatus::Ready)).unwrap();
    let summary = queue::summary(store.conn(), &QueueFilter::default()).unwrap();
    assert!(!ready.is_empty());
    assert!(summary.charts >= ready.len() as u64, "{summary:?}");
    let id = ready[0];
    assert_eq!(
        store.write(|tx| coding::claim(tx, id, "amy")).unwrap(),
        Claim::Mine
    );
    store
        .write(|tx| coding::add_diagnosis(tx, id, "amy", "I50.9", "FY2027"))
        .unwrap();
    let chart = charts::load_chart(store.conn(), id).unwrap();
    assert!(chart.diagnoses.iter().any(|d| d.code == "I50.9"));
    let trail = audit::for_chart(store.conn(), id).unwrap();
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"claim"), "{actions:?}");
    let last = trail.last().unwrap();
    assert_eq!(last.actor, "amy");
    assert!(last.action.contains("diagnosis"), "{}", last.action);
}

/// `chartcoder` with `env` added to a bare environment; (success, stdout and
/// stderr).
pub fn chartcoder(home: &Path, env: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chartcoder"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A certificate for `names` (subjectAltName dNSNames; none: no
/// subjectAltName at all) with the Common Name `cn` and the serial number
/// `serial`, signed by `ca`: (cert, key), PEM.
pub fn cert_for(ca: &Authority, names: &[&str], cn: &str, serial: u64) -> (String, String) {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.serial_number = Some(SerialNumber::from(serial));
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// A certificate revocation list of `ca` revoking the serial numbers
/// `revoked`, current from `from` to `to` (years), PEM.
pub fn crl(ca: &Authority, revoked: &[u64], from: i32, to: i32) -> String {
    let params = CertificateRevocationListParams {
        this_update: date_time_ymd(from, 1, 1),
        next_update: date_time_ymd(to, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|&serial| RevokedCertParams {
                serial_number: SerialNumber::from(serial),
                revocation_time: date_time_ymd(from, 1, 1),
                reason_code: None,
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    params.signed_by(&ca.issuer).unwrap().pem().unwrap()
}

/// `pem` in `dir/name` with the permissions `mode`; its path as text.
pub fn file_mode(dir: &Path, name: &str, pem: &str, mode: u32) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = file(dir, name, pem);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path.display().to_string()
}

/// The role the server's own session runs as, and its client certificate's
/// subject as the server saw it.
pub fn who(store: &Store) -> (String, String) {
    store
        .conn()
        .query_row(
            "SELECT current_user::text, coalesce(client_dn, '') FROM pg_stat_ssl \
             WHERE pid = pg_backend_pid()",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// A server that logs in over TCP by client certificate: `certdb` with
/// `cert` (the certificate's CN is the user), `fulldb` with `trust` and
/// `clientcert=verify-full` (a certificate whose CN is the user is required);
/// both owned by the role `amy`. With the server's CA, the client
/// certificates' CA, and a folder for files.
pub struct CertServer {
    pub server: PrivateServer,
    pub server_ca: Authority,
    pub client_ca: Authority,
    pub files: tempfile::TempDir,
}

pub fn cert_server() -> Option<CertServer> {
    let server_ca = authority("chartcoder test server CA");
    let client_ca = authority("chartcoder test client CA");
    let hba = "hostssl certdb all 127.0.0.1/32 cert\n\
               hostssl fulldb all 127.0.0.1/32 trust clientcert=verify-full\n";
    let server = PrivateServer::start_tcp(Tcp {
        tls: Some(cert_for(&server_ca, &["localhost"], "localhost", 10)),
        hostssl_only: true,
        client_certs: Some((client_ca.pem.clone(), hba.to_string())),
    })?;
    let mut admin = chartcoder::store::postgres::connect(&server.url("postgres")).unwrap();
    for sql in [
        "CREATE ROLE amy LOGIN",
        "CREATE DATABASE certdb OWNER amy",
        "CREATE DATABASE fulldb OWNER amy",
    ] {
        admin.batch_execute(sql).unwrap();
    }
    Some(CertServer {
        server,
        server_ca,
        client_ca,
        files: tempfile::tempdir().unwrap(),
    })
}

/// amy's files in a [`CertServer`]'s folder: the server's authority
/// (`root.pem`), her certificate from the client authority (`amy.crt`) and
/// its key (`amy.key`, 0600); paths as text.
pub struct Amy {
    pub root: String,
    pub crt: String,
    pub key: String,
}

impl Amy {
    /// [`client_words`] with her root, certificate and key.
    pub fn words(&self) -> String {
        client_words(&self.root, &self.crt, &self.key)
    }
}

impl CertServer {
    /// Writes [`Amy`]'s files, her certificate with the serial number `serial`.
    pub fn amy(&self, serial: u64) -> Amy {
        let dir = self.files.path();
        let (cert, key) = cert_for(&self.client_ca, &[], "amy", serial);
        Amy {
            root: file_mode(dir, "root.pem", &self.server_ca.pem, 0o644),
            crt: file_mode(dir, "amy.crt", &cert, 0o644),
            key: file_mode(dir, "amy.key", &key, 0o600),
        }
    }

    /// A [`CertServer`] with [`Amy`]'s files (her certificate's serial number
    /// `serial`) and the folder they are in.
    pub fn with_amy(serial: u64) -> Option<(CertServer, Amy)> {
        let cs = cert_server()?;
        let amy = cs.amy(serial);
        Some((cs, amy))
    }

    /// The URL of `db` as `user` at localhost, `words` added.
    pub fn url(&self, user: &str, db: &str, words: &str) -> String {
        self.server
            .tcp_url(db, "localhost", words)
            .replace("postgres@", &format!("{user}@"))
    }
}
