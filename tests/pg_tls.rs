//! TLS to PostgreSQL (`sslmode`, `sslrootcert`; src/store/postgres/tls.rs)
//! against servers of the tests' own on 127.0.0.1: one with a certificate
//! signed by a CA made here, letting in TCP connections with TLS only
//! (`hostssl`), and one without TLS. Every mode of libpq is tried against
//! what libpq would do. Skipped, saying so, where the PostgreSQL server
//! programs are not installed (`bash tests/run.sh` installs them).

mod common;

use chartcoder::domain::ChartStatus;
use chartcoder::store::coding::{self, Claim};
use chartcoder::store::postgres::listen::Signal;
use chartcoder::store::queue::{self, QueueFilter};
use chartcoder::store::{Store, StoreError, StoreOptions, audit, charts};
use common::pg::{PrivateServer, Tcp};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
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
    let text = refused(&with_password(
        "localhost",
        "sslmode=require&sslcert=/tmp/c.pem",
    ));
    assert!(text.contains("sslcert"), "{text}");
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
