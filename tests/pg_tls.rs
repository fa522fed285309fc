//! TLS to PostgreSQL (`sslmode`, `sslrootcert`, client certificates,
//! revocation lists; src/store/postgres/tls.rs) against servers of the tests'
//! own on 127.0.0.1: one with a certificate signed by a CA made here, letting
//! in TCP connections with TLS only (`hostssl`), one without TLS, one that
//! logs in by client certificate (`cert`, `clientcert=verify-full`), one
//! whose certificate is revoked and one whose certificate has a Common Name
//! and no subjectAltName. Every mode of libpq is tried against what libpq
//! would do. Skipped, saying so, where the PostgreSQL server
//! programs are not installed (`bash tests/run.sh` installs them).

mod common;

use chartcoder::domain::ChartStatus;
use chartcoder::store::coding::{self, Claim};
use chartcoder::store::postgres::listen::Signal;
use chartcoder::store::queue::{self, QueueFilter};
use chartcoder::store::{Store, StoreError, StoreOptions, audit, charts};
use common::pg::{PrivateServer, Tcp};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer,
    KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber, date_time_ymd,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A certificate authority: its certificate (PEM) and what signs with it.
struct Authority {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn authority(name: &str) -> Authority {
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
fn server_cert(ca: &Authority) -> (String, String) {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// `pem` in a file in `dir`; its path.
fn file(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

fn open(url: &str) -> Result<Store, StoreError> {
    Store::open_url(url, &StoreOptions::default())
}

/// Whether the store's own connection is encrypted, as the server sees it.
fn encrypted(store: &Store) -> bool {
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
fn refused(url: &str) -> String {
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
struct TlsServer {
    server: PrivateServer,
    ca: PathBuf,
    other_ca: PathBuf,
    _files: tempfile::TempDir,
}

fn tls_server() -> Option<TlsServer> {
    let ca = authority("chartcoder test CA");
    let server = PrivateServer::start_tcp(Tcp {
        tls: Some(server_cert(&ca)),
        hostssl_only: true,
        client_certs: None,
    })?;
    server.create("charts");
    let files = tempfile::tempdir().unwrap();
    Some(TlsServer {
        ca: file(files.path(), "ca.pem", &ca.pem),
        other_ca: file(files.path(), "other.pem", &authority("someone else").pem),
        server,
        _files: files,
    })
}

/// A coder's round trip on `store`: the demo queue, a claim and a coding
/// change, each with its audit row.
fn coder_round_trip(store: &mut Store) {
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

#[test]
fn verify_full_with_the_right_root_and_host_carries_every_connection_encrypted() {
    let Some(tls) = tls_server() else {
        return;
    };
    let words = format!("sslmode=verify-full&sslrootcert={}", tls.ca.display());
    let url = tls.server.tcp_url("charts", "localhost", &words);
    let mut store = open(&url).unwrap();
    assert!(encrypted(&store));
    coder_round_trip(&mut store);
    // The live queue's connection: a change signals it.
    let (tx, rx) = std::sync::mpsc::channel();
    let watch = store
        .queue_watch(move |s| {
            let _ = tx.send(s);
        })
        .unwrap()
        .unwrap();
    let id = charts::chart_ids(store.conn(), Some(ChartStatus::Ready)).unwrap()[0];
    store.write(|tx| coding::claim(tx, id, "bob")).unwrap();
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        Signal::Changed
    );
    drop(watch);
    // A lost connection is replaced, encrypted too.
    let mut admin = chartcoder::store::postgres::connect(&tls.server.url("postgres")).unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = 'charts' AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    store.write(|tx| coding::release(tx, id, "bob")).unwrap();
    assert!(encrypted(&store));
    // The key=value form says the same.
    let words = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=postgres dbname=charts \
         sslmode=verify-full sslrootcert='{}'",
        tls.server.port(),
        tls.ca.display()
    );
    let mut client = chartcoder::store::postgres::connect(&words).unwrap();
    let ssl: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(ssl);
}

#[test]
fn a_certificate_that_does_not_verify_is_refused_clearly_and_without_the_password() {
    let Some(tls) = tls_server() else {
        return;
    };
    let ca = tls.ca.display();
    let other = tls.other_ca.display();
    let with_password = |host: &str, words: &str| {
        tls.server
            .tcp_url("charts", host, words)
            .replace("postgres@", "postgres:s3cret@")
    };
    // verify-full: the certificate is for localhost, not for 127.0.0.1.
    let text = refused(&with_password(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ));
    assert!(text.contains("not valid for name \"127.0.0.1\""), "{text}");
    assert!(text.contains("localhost"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    // verify-ca checks the chain only: the name does not matter ...
    let url = with_password("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={ca}"));
    assert!(encrypted(&open(&url).unwrap()));
    // ... but another authority's root does.
    for mode in ["verify-ca", "verify-full", "require"] {
        let url = with_password("localhost", &format!("sslmode={mode}&sslrootcert={other}"));
        let text = refused(&url);
        assert!(
            text.contains("not signed by the root certificate"),
            "{mode}: {text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
    }
    // verify-ca and verify-full without any root certificate: said before
    // connecting (unless ~/.postgresql/root.crt exists, as for libpq).
    let home_root = std::env::var("HOME")
        .map(|h| Path::new(&h).join(".postgresql/root.crt").exists())
        .unwrap_or(false);
    if std::env::var_os("PGSSLROOTCERT").is_none() && !home_root {
        let text = refused(&with_password("localhost", "sslmode=verify-full"));
        assert!(text.contains("sslrootcert"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
    // What is not supported is refused by name.
    let text = refused(&with_password(
        "localhost",
        "sslmode=verify-full&sslrootcert=system",
    ));
    assert!(text.contains("sslrootcert=system"), "{text}");
    // A mode libpq does not have.
    let text = refused(&with_password("localhost", "sslmode=verify"));
    assert!(text.contains("verify-full"), "{text}");
}

#[test]
fn require_encrypts_without_a_root_and_disable_meets_a_tls_only_server() {
    let Some(tls) = tls_server() else {
        return;
    };
    if std::env::var_os("PGSSLROOTCERT").is_some() {
        eprintln!("skipped: PGSSLROOTCERT is set, so require verifies");
        return;
    }
    let url = tls.server.tcp_url("charts", "localhost", "sslmode=require");
    let mut store = open(&url).unwrap();
    assert!(encrypted(&store));
    coder_round_trip(&mut store);
    // prefer (libpq's default, also with no sslmode at all) and allow take
    // TLS when the server asks for it.
    for words in ["sslmode=prefer", "connect_timeout=10", "sslmode=allow"] {
        let url = tls.server.tcp_url("charts", "localhost", words);
        assert!(encrypted(&open(&url).unwrap()), "{words}");
    }
    // disable: the server lets no plain connection in, and says so.
    let url = tls.server.tcp_url("charts", "localhost", "sslmode=disable");
    let text = refused(&url);
    assert!(text.contains("no encryption"), "{text}");
    assert!(text.contains("pg_hba.conf"), "{text}");
}

#[test]
fn a_server_without_tls_is_plain_for_prefer_and_refused_for_require() {
    let Some(server) = PrivateServer::start_tcp(Tcp {
        tls: None,
        hostssl_only: false,
        client_certs: None,
    }) else {
        return;
    };
    server.create("charts");
    for words in ["sslmode=prefer", "sslmode=allow", "sslmode=disable"] {
        let mut store = open(&server.tcp_url("charts", "localhost", words)).unwrap();
        assert!(!encrypted(&store), "{words}");
        if words == "sslmode=prefer" {
            coder_round_trip(&mut store);
        }
    }
    for mode in ["require", "verify-ca", "verify-full"] {
        let root = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(root.path(), authority("any").pem).unwrap();
        let words = format!("sslmode={mode}&sslrootcert={}", root.path().display());
        let text = refused(&server.tcp_url("charts", "localhost", &words));
        assert!(
            text.contains("server does not support TLS"),
            "{mode}: {text}"
        );
    }
    // A Unix socket is never encrypted, whatever the mode (as libpq).
    let url = format!("{}&sslmode=verify-full", server.url("charts"));
    let store = open(&url).unwrap();
    assert!(!encrypted(&store));
}

/// `chartcoder` with `env` added to a bare environment; (success, stdout and
/// stderr).
fn chartcoder(home: &Path, env: &[(&str, &str)], args: &[&str]) -> (bool, String) {
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

#[test]
fn pgsslmode_and_pgsslrootcert_hold_for_db_copy_when_the_url_names_neither() {
    let Some(tls) = tls_server() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("dept.db");
    let mut sqlite = Store::open(&file, &StoreOptions::default()).unwrap();
    let seeded = chartcoder::demo::seed(&mut sqlite).unwrap();
    drop(sqlite);
    let file = file.to_str().unwrap();
    // The certificate is for localhost: verify-full at 127.0.0.1 is refused.
    let at_ip = tls
        .server
        .tcp_url("charts", "127.0.0.1", "connect_timeout=10");
    let (ca, other) = (tls.ca.to_str().unwrap(), tls.other_ca.to_str().unwrap());
    let copy = |url: &str, root: &str| {
        chartcoder(
            home.path(),
            &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", root)],
            &["db", "copy", "--from", file, "--to", url],
        )
    };
    let (ok, text) = copy(&at_ip, ca);
    assert!(
        !ok && text.contains("not valid for name \"127.0.0.1\""),
        "{text}"
    );
    let url = tls
        .server
        .tcp_url("charts", "localhost", "connect_timeout=10");
    let (ok, text) = copy(&url, other);
    assert!(
        !ok && text.contains("not signed by the root certificate"),
        "{text}"
    );
    // The right root and host: copied, every table checked.
    let (ok, text) = copy(&url, ca);
    assert!(ok, "{text}");
    assert!(text.contains("charts") && text.contains("OK"), "{text}");
    let mut admin = chartcoder::store::postgres::connect(&tls.server.url("charts")).unwrap();
    let charts: i64 = admin
        .query_one("SELECT count(*) FROM charts", &[])
        .unwrap()
        .get(0);
    assert_eq!(charts, seeded as i64);
}

/// A certificate for `names` (subjectAltName dNSNames; none: no
/// subjectAltName at all) with the Common Name `cn` and the serial number
/// `serial`, signed by `ca`: (cert, key), PEM.
fn cert_for(ca: &Authority, names: &[&str], cn: &str, serial: u64) -> (String, String) {
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
fn crl(ca: &Authority, revoked: &[u64], from: i32, to: i32) -> String {
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
fn file_mode(dir: &Path, name: &str, pem: &str, mode: u32) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = file(dir, name, pem);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path.display().to_string()
}

/// The role the server's own session runs as, and its client certificate's
/// subject as the server saw it.
fn who(store: &Store) -> (String, String) {
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
struct CertServer {
    server: PrivateServer,
    server_ca: Authority,
    client_ca: Authority,
    files: tempfile::TempDir,
}

fn cert_server() -> Option<CertServer> {
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

impl CertServer {
    /// The URL of `db` as `user` at localhost, `words` added.
    fn url(&self, user: &str, db: &str, words: &str) -> String {
        self.server
            .tcp_url(db, "localhost", words)
            .replace("postgres@", &format!("{user}@"))
    }
}

#[test]
fn a_client_certificate_logs_in_as_its_common_name_and_none_or_a_wrong_one_is_refused() {
    let Some(cs) = cert_server() else {
        return;
    };
    let dir = cs.files.path();
    let root = file_mode(dir, "root.pem", &cs.server_ca.pem, 0o644);
    let (cert, key) = cert_for(&cs.client_ca, &[], "amy", 20);
    let amy_crt = file_mode(dir, "amy.crt", &cert, 0o644);
    let amy_key = file_mode(dir, "amy.key", &key, 0o600);
    let tls = |crt: &str, key: &str| {
        format!("sslmode=verify-full&sslrootcert={root}&sslcert={crt}&sslkey={key}")
    };
    // cert: the certificate's CN is the user it logs in as.
    let mut store = open(&cs.url("amy", "certdb", &tls(&amy_crt, &amy_key))).unwrap();
    let (user, dn) = who(&store);
    assert_eq!(user, "amy");
    assert!(dn.contains("CN=amy"), "{dn}");
    assert!(encrypted(&store));
    coder_round_trip(&mut store);
    // ... and as no one else.
    let text = refused(&cs.url("postgres", "certdb", &tls(&amy_crt, &amy_key)));
    assert!(
        text.contains("certificate authentication failed for user \"postgres\""),
        "{text}"
    );
    let sent = format!("the client certificate sent was {amy_crt} (sslcert, key {amy_key})");
    assert!(text.contains(&sent), "{text}");
    // No certificate: the file named does not exist (as libpq, none is sent).
    let missing = dir.join("nobody.crt").display().to_string();
    let text = refused(&cs.url("amy", "certdb", &tls(&missing, &amy_key)));
    assert!(
        text.contains("requires a valid client certificate"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{missing} (sslcert) does not exist")),
        "{text}"
    );
    // sslcertmode=disable sends none, even with the files there.
    let words = format!("{}&sslcertmode=disable", tls(&amy_crt, &amy_key));
    let text = refused(&cs.url("amy", "certdb", &words));
    assert!(
        text.contains("requires a valid client certificate"),
        "{text}"
    );
    assert!(text.contains("sslcertmode=disable"), "{text}");
    // A certificate from an authority the server does not trust.
    let stranger = authority("someone else's client CA");
    let (cert, key) = cert_for(&stranger, &[], "amy", 21);
    let other_crt = file_mode(dir, "other.crt", &cert, 0o644);
    let other_key = file_mode(dir, "other.key", &key, 0o600);
    let text = refused(&cs.url("amy", "certdb", &tls(&other_crt, &other_key)));
    assert!(
        text.contains(&format!("the client certificate sent was {other_crt}")),
        "{text}"
    );
    // clientcert=verify-full on a trust line: the certificate must be the
    // user's too.
    let store = open(&cs.url("amy", "fulldb", &tls(&amy_crt, &amy_key))).unwrap();
    assert_eq!(who(&store).0, "amy");
    let text = refused(&cs.url("postgres", "fulldb", &tls(&amy_crt, &amy_key)));
    assert!(text.contains("\"postgres\""), "{text}");
    assert!(text.contains(&sent), "{text}");
}

#[test]
fn the_home_folders_files_and_the_environment_give_the_certificate_root_and_crl() {
    let Some(cs) = cert_server() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let dot = home.path().join(".postgresql");
    std::fs::create_dir(&dot).unwrap();
    let (cert, key) = cert_for(&cs.client_ca, &[], "amy", 30);
    file_mode(&dot, "root.crt", &cs.server_ca.pem, 0o644);
    file_mode(&dot, "postgresql.crt", &cert, 0o644);
    let key_path = file_mode(&dot, "postgresql.key", &key, 0o600);
    // The URL names no file: ~/.postgresql's are used.
    let url = cs.url("amy", "certdb", "sslmode=verify-full");
    let migrate =
        |env: &[(&str, &str)]| chartcoder(home.path(), env, &["--db", &url, "db", "migrate"]);
    let (ok, text) = migrate(&[]);
    assert!(ok, "{text}");
    // ~/.postgresql/root.crl too: one revoking the server's certificate
    // (serial 10) refuses it.
    file_mode(
        &dot,
        "root.crl",
        &crl(&cs.server_ca, &[10], 2025, 2100),
        0o644,
    );
    let (ok, text) = migrate(&[]);
    assert!(!ok && text.contains("revoked"), "{text}");
    let read = format!(
        "{} (~/.postgresql/root.crl)",
        dot.join("root.crl").display()
    );
    assert!(text.contains(&read), "{text}");
    // PGSSLCRL names another list (revoking another serial): it holds
    // instead, and the server's certificate passes.
    let other_crl = file_mode(
        home.path(),
        "other.crl",
        &crl(&cs.server_ca, &[11], 2025, 2100),
        0o644,
    );
    let (ok, text) = migrate(&[("PGSSLCRL", &other_crl)]);
    assert!(ok, "{text}");
    std::fs::remove_file(dot.join("root.crl")).unwrap();
    // A key others may read is refused, naming it (libpq's words).
    std::fs::set_permissions(
        &key_path,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let (ok, text) = migrate(&[]);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "the private key file {key_path} (sslkey) has group or world access"
        )),
        "{text}"
    );
    // PGSSLCERT and PGSSLKEY point elsewhere: those are used.
    let elsewhere = tempfile::tempdir().unwrap();
    let crt = file_mode(elsewhere.path(), "a.crt", &cert, 0o644);
    let key = file_mode(elsewhere.path(), "a.key", &key, 0o600);
    let (ok, text) = migrate(&[("PGSSLCERT", &crt), ("PGSSLKEY", &key)]);
    assert!(ok, "{text}");
}

#[test]
fn key_files_are_refused_as_libpq_refuses_them_naming_the_file() {
    // Refused before any connection: no server needed.
    let dir = tempfile::tempdir().unwrap();
    let ca = authority("chartcoder test client CA");
    let (cert, key) = cert_for(&ca, &[], "amy", 40);
    let crt = file_mode(dir.path(), "amy.crt", &cert, 0o644);
    let url = |key: &str| {
        format!(
            "postgresql://amy@127.0.0.1:1/c?sslmode=require&connect_timeout=2&sslcert={crt}\
             &sslkey={key}"
        )
    };
    // Readable by others.
    let open_key = file_mode(dir.path(), "open.key", &key, 0o644);
    let text = refused(&url(&open_key));
    assert!(
        text.contains(&format!(
            "the private key file {open_key} (sslkey) has group or world access"
        )),
        "{text}"
    );
    // Missing.
    let missing = dir.path().join("none.key").display().to_string();
    let text = refused(&url(&missing));
    assert!(
        text.contains(&format!(
            "certificate present ({crt}, sslcert), but not private key file {missing} (sslkey)"
        )),
        "{text}"
    );
    // Another certificate's key.
    let (_, stranger) = cert_for(&ca, &[], "bob", 41);
    let wrong = file_mode(dir.path(), "bob.key", &stranger, 0o600);
    let text = refused(&url(&wrong));
    assert!(
        text.contains(&format!(
            "the client certificate {crt} (sslcert) and the private key file {wrong} (sslkey) \
             cannot be used together"
        )),
        "{text}"
    );
    // Not a key at all.
    let garbage = file_mode(dir.path(), "garbage.key", "not a key\n", 0o600);
    let text = refused(&url(&garbage));
    assert!(
        text.contains(&format!("{garbage} (sslkey) holds no private key")),
        "{text}"
    );
    // Encrypted (PKCS#8 with a passphrase): without sslpassword, or with a
    // wrong one, refused naming the file and what to set, never the
    // passphrase.
    let encrypted = file_mode(dir.path(), "enc.key", &encrypt(&key, "s3cret"), 0o600);
    let text = refused(&url(&encrypted));
    assert!(
        text.contains(&format!(
            "the private key file {encrypted} (sslkey) is encrypted (PKCS#8 ENCRYPTED PRIVATE \
             KEY) and no sslpassword is given"
        )),
        "{text}"
    );
    assert!(text.contains("sslpassword=PASSPHRASE"), "{text}");
    let text = refused(&format!("{}&sslpassword=wr0ng", url(&encrypted)));
    assert!(
        text.contains(&format!(
            "{encrypted} (sslkey) cannot be decrypted with the sslpassword given"
        )),
        "{text}"
    );
    assert!(!text.contains("wr0ng"), "{text}");
    // The right passphrase: the files pass.
    let text = refused(&format!("{}&sslpassword=s3cret", url(&encrypted)));
    assert!(!text.contains("(sslkey)"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    // The right key: the files pass, and the refusal is the connection's.
    let plain = file_mode(dir.path(), "plain.key", &key, 0o600);
    let text = refused(&url(&plain));
    assert!(!text.contains("(sslkey)"), "{text}");
    assert!(!text.contains("(sslcert)"), "{text}");
}

#[test]
fn a_revoked_server_certificate_is_refused_under_verify_ca_and_verify_full() {
    let ca = authority("chartcoder test CA");
    let Some(server) = PrivateServer::start_tcp(Tcp {
        tls: Some(cert_for(&ca, &["localhost"], "localhost", 50)),
        hostssl_only: true,
        client_certs: None,
    }) else {
        return;
    };
    server.create("charts");
    let dir = tempfile::tempdir().unwrap();
    let root = file_mode(dir.path(), "ca.pem", &ca.pem, 0o644);
    let revoked = file_mode(dir.path(), "r.crl", &crl(&ca, &[50], 2025, 2100), 0o644);
    let current = file_mode(dir.path(), "c.crl", &crl(&ca, &[51], 2025, 2100), 0o644);
    let expired = file_mode(dir.path(), "e.crl", &crl(&ca, &[51], 2020, 2021), 0o644);
    let other = authority("someone else");
    let others = file_mode(dir.path(), "o.crl", &crl(&other, &[50], 2025, 2100), 0o644);
    let url = |mode: &str, crl: &str| {
        let words = format!("sslmode={mode}&sslrootcert={root}&sslcrl={crl}");
        server.tcp_url("charts", "localhost", &words)
    };
    for mode in ["verify-ca", "verify-full", "require"] {
        let text = refused(&url(mode, &revoked));
        assert!(text.contains("revoked"), "{mode}: {text}");
        let read = format!("revocation list read ({revoked} (sslcrl))");
        assert!(text.contains(&read), "{mode}: {text}");
        // A list of the same authority that does not name it: accepted.
        assert!(encrypted(&open(&url(mode, &current)).unwrap()), "{mode}");
    }
    // Without a list, the revoked certificate is not known to be.
    let words = format!("sslmode=verify-full&sslrootcert={root}");
    assert!(encrypted(
        &open(&server.tcp_url("charts", "localhost", &words)).unwrap()
    ));
    // An expired list, or only another authority's: refused, as OpenSSL
    // (with libpq's CRL_CHECK_ALL) refuses them.
    let text = refused(&url("verify-full", &expired));
    assert!(text.contains("expired"), "{text}");
    let text = refused(&url("verify-full", &others));
    assert!(text.contains("cannot be checked for revocation"), "{text}");
    // A folder of lists (sslcrldir), and a list file that is not one.
    let crl_dir = |name: &str, files: &[&str]| {
        let folder = dir.path().join(name);
        std::fs::create_dir(&folder).unwrap();
        for (i, path) in files.iter().enumerate() {
            std::fs::copy(path, folder.join(format!("{i}.r0"))).unwrap();
        }
        let words = format!(
            "sslmode=verify-full&sslrootcert={root}&sslcrldir={}",
            folder.display()
        );
        refused(&server.tcp_url("charts", "localhost", &words))
    };
    let text = crl_dir("crls", &[revoked.as_str()]);
    assert!(text.contains("revoked"), "{text}");
    // A folder holding no list (here only the root certificate) is refused:
    // the revocation check would otherwise be silently off.
    let text = crl_dir("no-crls", &[root.as_str()]);
    assert!(text.contains("holds no PEM"), "{text}");
    // verify-ca checks the chain, revocation included, whatever the name:
    // the certificate is for localhost, not 127.0.0.1.
    let words = format!("sslmode=verify-ca&sslrootcert={root}&sslcrl={revoked}");
    let text = refused(&server.tcp_url("charts", "127.0.0.1", &words));
    assert!(text.contains("is revoked"), "{text}");
    let text = refused(&url("verify-full", &root));
    assert!(
        text.contains(&format!("{root} (sslcrl) cannot be read")),
        "{text}"
    );
}

#[test]
fn verify_full_takes_the_common_name_of_a_certificate_without_subject_alt_names() {
    let ca = authority("chartcoder test CA");
    let Some(server) = PrivateServer::start_tcp(Tcp {
        tls: Some(cert_for(&ca, &[], "localhost", 60)),
        hostssl_only: true,
        client_certs: None,
    }) else {
        return;
    };
    server.create("charts");
    let dir = tempfile::tempdir().unwrap();
    let root = file_mode(dir.path(), "ca.pem", &ca.pem, 0o644);
    let words = format!("sslmode=verify-full&sslrootcert={root}");
    // The right host (in any case): libpq's Common Name fallback.
    for host in ["localhost", "LocalHost"] {
        let mut store = open(&server.tcp_url("charts", host, &words)).unwrap();
        assert!(encrypted(&store), "{host}");
        if host == "localhost" {
            coder_round_trip(&mut store);
        }
    }
    // Another name, or the address: refused, saying what the certificate
    // is made out to.
    let text = refused(&server.tcp_url("charts", "db.example", &words));
    assert!(
        text.contains(
            "made out to \"localhost\" (its Common Name; it has no subjectAltName), not to \
             the host name \"db.example\""
        ),
        "{text}"
    );
    let text = refused(&server.tcp_url("charts", "127.0.0.1", &words));
    assert!(
        text.contains("not to the host name \"127.0.0.1\""),
        "{text}"
    );
    // verify-ca does not look at names.
    let words = format!("sslmode=verify-ca&sslrootcert={root}");
    assert!(encrypted(
        &open(&server.tcp_url("charts", "db.example", &words)).unwrap()
    ));
}

/// The PEM private key `key` encrypted with `password` as PKCS#8 (PBES2:
/// PBKDF2-HMAC-SHA256, 2,048 rounds, and AES-256-CBC, what `openssl pkcs8
/// -topk8 -v2 aes-256-cbc` writes), PEM.
fn encrypt(key: &str, password: &str) -> String {
    let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(
        2048,
        b"salt4amy",
        b"an iv of 16 byte",
    )
    .unwrap();
    encrypt_with(key, password, params)
}

/// `key` encrypted as PKCS#8 with `params`, PEM.
fn encrypt_with(key: &str, password: &str, params: pkcs8::pkcs5::pbes2::Parameters) -> String {
    use pkcs8::der::pem::LineEnding;
    let (_, plain) = pkcs8::SecretDocument::from_pem(key).unwrap();
    let info = pkcs8::PrivateKeyInfo::try_from(plain.as_bytes()).unwrap();
    let encrypted = info.encrypt_with_params(params, password).unwrap();
    encrypted
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .unwrap()
        .to_string()
}

#[test]
fn an_encrypted_client_key_logs_in_with_its_sslpassword_and_is_refused_without_it() {
    let Some(cs) = cert_server() else {
        return;
    };
    let dir = cs.files.path();
    let root = file_mode(dir, "root.pem", &cs.server_ca.pem, 0o644);
    let (cert, key) = cert_for(&cs.client_ca, &[], "amy", 70);
    let amy_crt = file_mode(dir, "amy.crt", &cert, 0o644);
    let pbkdf2 = file_mode(dir, "pbkdf2.key", &encrypt(&key, "s3cret pass"), 0o600);
    let scrypt_params = pkcs8::pkcs5::pbes2::Parameters::scrypt_aes256cbc(
        pkcs8::pkcs5::scrypt::Params::new(14, 8, 1, 32).unwrap(),
        b"salt4amy",
        b"an iv of 16 byte",
    )
    .unwrap();
    let scrypt = file_mode(
        dir,
        "scrypt.key",
        &encrypt_with(&key, "s3cret pass", scrypt_params),
        0o600,
    );
    let tls = |key: &str, password: &str| {
        format!("sslmode=verify-full&sslrootcert={root}&sslcert={amy_crt}&sslkey={key}{password}")
    };
    // The right passphrase (percent-encoded in the URL): amy logs in by her
    // certificate, under either key derivation.
    for key in [&pbkdf2, &scrypt] {
        let url = cs.url("amy", "certdb", &tls(key, "&sslpassword=s3cret%20pass"));
        let mut store = open(&url).unwrap();
        let (user, dn) = who(&store);
        assert_eq!(user, "amy");
        assert!(dn.contains("CN=amy"), "{dn}");
        if key == &pbkdf2 {
            coder_round_trip(&mut store);
        }
    }
    // libpq's key = value words (quoted, with its space) say the same.
    let words = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=amy dbname=certdb sslmode=verify-full \
         sslrootcert={root} sslcert={amy_crt} sslkey={pbkdf2} sslpassword='s3cret pass'",
        cs.server.port()
    );
    let mut client = chartcoder::store::postgres::connect(&words).unwrap();
    let user: String = client
        .query_one("SELECT current_user::text", &[])
        .unwrap()
        .get(0);
    assert_eq!(user, "amy");
    // A wrong passphrase, or none: refused before any login, saying so.
    let text = refused(&cs.url("amy", "certdb", &tls(&pbkdf2, "&sslpassword=wr0ng")));
    assert!(
        text.contains(&format!(
            "the private key file {pbkdf2} (sslkey) cannot be decrypted with the sslpassword given"
        )),
        "{text}"
    );
    assert!(!text.contains("wr0ng"), "{text}");
    let text = refused(&cs.url("amy", "certdb", &tls(&pbkdf2, "")));
    assert!(
        text.contains(&format!(
            "the private key file {pbkdf2} (sslkey) is encrypted (PKCS#8 ENCRYPTED PRIVATE KEY) \
             and no sslpassword is given: add sslpassword=PASSPHRASE"
        )),
        "{text}"
    );
    // The passphrase never reaches a message about the address either.
    let text = refused(&cs.url("bob", "nodb", &tls(&pbkdf2, "&sslpassword=s3cret%20pass")));
    assert!(!text.contains("s3cret"), "{text}");
}

#[test]
fn sslcertmode_require_connects_only_when_the_server_asks_for_the_certificate() {
    let Some(cs) = cert_server() else {
        return;
    };
    let dir = cs.files.path();
    let root = file_mode(dir, "root.pem", &cs.server_ca.pem, 0o644);
    let (cert, key) = cert_for(&cs.client_ca, &[], "amy", 80);
    let amy_crt = file_mode(dir, "amy.crt", &cert, 0o644);
    let amy_key = file_mode(dir, "amy.key", &key, 0o600);
    let tls = |mode: &str| {
        format!(
            "sslmode=verify-full&sslrootcert={root}&sslcert={amy_crt}&sslkey={amy_key}\
             &sslcertmode={mode}"
        )
    };
    // This server asks (it has ssl_ca_file): require connects.
    let store = open(&cs.url("amy", "certdb", &tls("require"))).unwrap();
    assert_eq!(who(&store).0, "amy");
    // require with no certificate to send: refused before connecting.
    let missing = dir.join("nobody.crt").display().to_string();
    let words = tls("require").replace(&amy_crt, &missing);
    let text = refused(&cs.url("amy", "certdb", &words));
    assert!(
        text.contains(&format!(
            "sslcertmode=require, but no client certificate can be sent: {missing} (sslcert) \
             does not exist"
        )),
        "{text}"
    );
    // require with sslmode=disable can never be met.
    let text = refused(&cs.url("amy", "certdb", "sslmode=disable&sslcertmode=require"));
    assert!(
        text.contains("sslcertmode=require needs an encrypted connection"),
        "{text}"
    );
    // A server that does not ask (no ssl_ca_file): require fails after the
    // handshake, saying so; allow and disable connect.
    let Some(tls_only) = tls_server() else {
        return;
    };
    let words = |mode: &str| {
        format!(
            "sslmode=verify-full&sslrootcert={}&sslcert={amy_crt}&sslkey={amy_key}\
             &sslcertmode={mode}",
            tls_only.ca.display()
        )
    };
    let url = |mode: &str| tls_only.server.tcp_url("charts", "localhost", &words(mode));
    let text = refused(&url("require"));
    assert!(
        text.contains("the server did not request a client certificate (sslcertmode=require"),
        "{text}"
    );
    // None was asked for, so none is said to have been sent.
    assert!(!text.contains("the client certificate sent was"), "{text}");
    for mode in ["allow", "disable"] {
        assert!(encrypted(&open(&url(mode)).unwrap()), "{mode}");
    }
    // prefer with require: only an encrypted connection will do, and the
    // server's TLS is taken.
    let prefer = words("require").replace("verify-full", "prefer");
    let text = refused(&tls_only.server.tcp_url("charts", "localhost", &prefer));
    assert!(
        text.contains("did not request a client certificate"),
        "{text}"
    );
}

#[test]
fn a_client_certificate_renewed_on_disk_is_sent_by_the_next_connection() {
    let Some(cs) = cert_server() else {
        return;
    };
    let dir = cs.files.path();
    let root = file_mode(dir, "root.pem", &cs.server_ca.pem, 0o644);
    let (cert, key) = cert_for(&cs.client_ca, &[], "amy", 90);
    let amy_crt = file_mode(dir, "amy.crt", &cert, 0o644);
    let amy_key = file_mode(dir, "amy.key", &key, 0o600);
    let words =
        format!("sslmode=verify-full&sslrootcert={root}&sslcert={amy_crt}&sslkey={amy_key}");
    let mut store = open(&cs.url("amy", "certdb", &words)).unwrap();
    coder_round_trip(&mut store);
    let serial = |store: &Store| -> String {
        store
            .conn()
            .query_row(
                "SELECT client_serial::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(serial(&store), "90");
    // The certificate is renewed in place (a new key too), and the
    // connection is lost: its replacement sends the new one.
    let (cert, key) = cert_for(&cs.client_ca, &[], "amy", 91);
    file_mode(dir, "amy.crt", &cert, 0o644);
    file_mode(dir, "amy.key", &key, 0o600);
    let mut admin = chartcoder::store::postgres::connect(&cs.server.url("postgres")).unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = 'certdb' AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    let id = charts::chart_ids(store.conn(), Some(ChartStatus::Ready));
    let id = match id {
        Ok(ids) => ids[0],
        // The read that finds the connection lost; the next one has its
        // replacement.
        Err(_) => charts::chart_ids(store.conn(), Some(ChartStatus::Ready)).unwrap()[0],
    };
    store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
    assert_eq!(serial(&store), "91");
}
