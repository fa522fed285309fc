//! Client certificates and their keys over TLS to PostgreSQL (`sslcert`,
//! `sslkey`, `sslpassword`, `sslcertmode`, libpq's files in
//! ~/.postgresql; src/store/postgres/tls.rs, files.rs, key.rs) against a
//! server of the tests' own on 127.0.0.1 that logs in by client certificate
//! (`cert`, `clientcert=verify-full`). Skipped, saying so, where the
//! PostgreSQL server programs are not installed (`bash tests/run.sh`
//! installs them).

mod common;
mod pg_tls_support;

use chartcoder::domain::ChartStatus;
use chartcoder::store::coding;
use chartcoder::store::{Store, charts};
use pg_tls_support::{
    CertServer, authority, cert_for, cert_server, chartcoder, client_words, coder_round_trip, crl,
    drop_connections, encrypted, file_mode, open, refused, tls_server, who,
};

#[test]
fn a_client_certificate_logs_in_as_its_common_name_and_none_or_a_wrong_one_is_refused() {
    let Some((cs, amy)) = CertServer::with_amy(20) else {
        return;
    };
    let dir = cs.files.path();
    let (amy_crt, amy_key) = (&amy.crt, &amy.key);
    let tls = |crt: &str, key: &str| client_words(&amy.root, crt, key);
    // cert: the certificate's CN is the user it logs in as.
    let mut store = open(&cs.url("amy", "certdb", &tls(amy_crt, amy_key))).unwrap();
    let (user, dn) = who(&store);
    assert_eq!(user, "amy");
    assert!(dn.contains("CN=amy"), "{dn}");
    assert!(encrypted(&store));
    coder_round_trip(&mut store);
    // ... and as no one else.
    let text = refused(&cs.url("postgres", "certdb", &tls(amy_crt, amy_key)));
    assert!(
        text.contains("certificate authentication failed for user \"postgres\""),
        "{text}"
    );
    let sent = format!("the client certificate sent was {amy_crt} (sslcert, key {amy_key})");
    assert!(text.contains(&sent), "{text}");
    // No certificate: the file named does not exist (as libpq, none is sent).
    let missing = dir.join("nobody.crt").display().to_string();
    let text = refused(&cs.url("amy", "certdb", &tls(&missing, amy_key)));
    assert!(
        text.contains("requires a valid client certificate"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{missing} (sslcert) does not exist")),
        "{text}"
    );
    // sslcertmode=disable sends none, even with the files there.
    let words = format!("{}&sslcertmode=disable", tls(amy_crt, amy_key));
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
    let store = open(&cs.url("amy", "fulldb", &tls(amy_crt, amy_key))).unwrap();
    assert_eq!(who(&store).0, "amy");
    let text = refused(&cs.url("postgres", "fulldb", &tls(amy_crt, amy_key)));
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
    let tls =
        |key: &str, password: &str| format!("{}{password}", client_words(&root, &amy_crt, key));
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
    let Some((cs, amy)) = CertServer::with_amy(80) else {
        return;
    };
    let dir = cs.files.path();
    let (amy_crt, amy_key) = (&amy.crt, &amy.key);
    let tls = |mode: &str| format!("{}&sslcertmode={mode}", amy.words());
    // This server asks (it has ssl_ca_file): require connects.
    let store = open(&cs.url("amy", "certdb", &tls("require"))).unwrap();
    assert_eq!(who(&store).0, "amy");
    // require with no certificate to send: refused before connecting.
    let missing = dir.join("nobody.crt").display().to_string();
    let words = tls("require").replace(amy_crt.as_str(), &missing);
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
    let root = tls_only.ca.display().to_string();
    let words = |mode: &str| {
        format!(
            "{}&sslcertmode={mode}",
            client_words(&root, amy_crt, amy_key)
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
    let Some((cs, amy)) = CertServer::with_amy(90) else {
        return;
    };
    let dir = cs.files.path();
    let words = amy.words();
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
    drop_connections(&cs.server, "certdb");
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
