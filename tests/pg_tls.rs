//! TLS to PostgreSQL (`sslmode`, `sslrootcert`, revocation lists;
//! src/store/postgres/tls.rs) against servers of the tests' own on
//! 127.0.0.1: one with a certificate signed by a CA made here, letting in
//! TCP connections with TLS only (`hostssl`), one without TLS, one whose
//! certificate is revoked and one whose certificate has a Common Name and
//! no subjectAltName; `sslrootcert=system` with the "system" store named by
//! SSL_CERT_FILE in a child process. Every mode of libpq is tried against
//! what libpq would do. Client certificates and their keys:
//! tests/pg_tls_keys.rs. Skipped, saying so, where the PostgreSQL server
//! programs are not installed (`bash tests/run.sh` installs them).

mod common;
mod pg_tls_support;

use chartcoder::domain::ChartStatus;
use chartcoder::store::coding;
use chartcoder::store::postgres::listen::Signal;
use chartcoder::store::{Store, StoreOptions, charts};
use common::pg::{PrivateServer, Tcp};
use pg_tls_support::{
    authority, cert_for, chartcoder, coder_round_trip, crl, drop_connections, encrypted, file_mode,
    open, refused, root_file, tls_only_server, tls_server,
};
use std::path::Path;
use std::time::Duration;

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
    drop_connections(&tls.server, "charts");
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

#[test]
fn a_revoked_server_certificate_is_refused_under_verify_ca_and_verify_full() {
    let ca = authority("chartcoder test CA");
    let Some(server) = tls_only_server(cert_for(&ca, &["localhost"], "localhost", 50)) else {
        return;
    };
    let (dir, root) = root_file(&ca);
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
    let Some(server) = tls_only_server(cert_for(&ca, &[], "localhost", 60)) else {
        return;
    };
    let (_dir, root) = root_file(&ca);
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

#[test]
fn sslrootcert_system_trusts_the_system_s_roots_with_verify_full_only() {
    let Some(tls) = tls_server() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let (ca, other) = (tls.ca.to_str().unwrap(), tls.other_ca.to_str().unwrap());
    let at = |host: &str, words: &str| tls.server.tcp_url("charts", host, words);
    // The "system" store is the file SSL_CERT_FILE names, as OpenSSL (and so
    // libpq) reads it: set for the child only, the tests' own environment
    // untouched.
    let migrate = |url: &str, system: &str, env: &[(&str, &str)]| {
        let mut env = env.to_vec();
        env.push(("SSL_CERT_FILE", system));
        chartcoder(home.path(), &env, &["--db", url, "db", "migrate"])
    };
    // The test CA among the system's roots: verify-full connects (the server
    // takes TLS only), and is the default with system, from the address or
    // PGSSLROOTCERT.
    let words = "connect_timeout=10&sslrootcert=system";
    for url in [
        at("localhost", &format!("{words}&sslmode=verify-full")),
        at("localhost", words),
    ] {
        let (ok, text) = migrate(&url, ca, &[]);
        assert!(ok, "{url}: {text}");
    }
    let plain = at("localhost", "connect_timeout=10");
    let (ok, text) = migrate(&plain, ca, &[("PGSSLROOTCERT", "system")]);
    assert!(ok, "{text}");
    // The host name is checked: the certificate is for localhost only.
    let (ok, text) = migrate(&at("127.0.0.1", words), ca, &[]);
    assert!(
        !ok && text.contains("not valid for name \"127.0.0.1\""),
        "{text}"
    );
    // The system's roots without the test CA: refused, saying whose roots.
    let (ok, text) = migrate(&at("localhost", words), other, &[]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("not signed by the root certificate")
            && text.contains("sslrootcert=system: by none of the system's"),
        "{text}"
    );
    // A weaker sslmode, from the address or PGSSLMODE: refused with libpq's
    // reason before any connection (also over a Unix socket).
    for mode in ["disable", "allow", "prefer", "require", "verify-ca"] {
        let reason = format!(
            "weak sslmode \"{mode}\" may not be used with sslrootcert=system (use \"verify-full\")"
        );
        let text = refused(&at("localhost", &format!("{words}&sslmode={mode}")));
        assert!(text.contains(&reason), "{mode}: {text}");
        let (ok, text) = migrate(&at("localhost", words), ca, &[("PGSSLMODE", mode)]);
        assert!(!ok && text.contains(&reason), "{mode}: {text}");
        let socket = format!(
            "{}&sslrootcert=system&sslmode={mode}",
            tls.server.url("charts")
        );
        assert!(refused(&socket).contains(&reason), "{mode}");
    }
}
