//! A PostgreSQL database of a test's own on the throwaway server that
//! `bash tests/run.sh` starts (`CHARTCODER_TEST_PG`): created empty, dropped
//! when the test ends, failing or not. Without the server the tests that
//! need it skip, except under CI, where its absence is a failure.

use chartcoder::store::{Store, StoreOptions};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The server's settings (libpq `key=value` words), or None outside CI.
pub fn server() -> Option<String> {
    match std::env::var("CHARTCODER_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "CHARTCODER_TEST_PG is unset under CI: tests/run.sh starts the server and sets it"
            )
        }
        _ => {
            eprintln!(
                "PostgreSQL tests skipped: CHARTCODER_TEST_PG is unset (bash tests/run.sh sets it)"
            );
            None
        }
    }
}

/// A database of the test's own.
pub struct TestPg {
    server: String,
    pub name: String,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

impl TestPg {
    /// A new empty database, `None` (the test skips) without a server.
    pub fn new(tag: &str) -> Option<TestPg> {
        TestPg::with_options(tag, "")
    }

    /// [`TestPg::new`] with `CREATE DATABASE` options (a locale, say).
    pub fn with_options(tag: &str, options: &str) -> Option<TestPg> {
        let server = server()?;
        let n = DATABASES.fetch_add(1, Ordering::SeqCst);
        let name = format!("chartcoder_test_{tag}_{}_{n}", std::process::id());
        let mut admin = chartcoder::store::postgres::connect(&server).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name} {options}"))
            .unwrap();
        Some(TestPg { server, name })
    }

    /// The server's settings (libpq `key=value` words), without the database.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The database's address in libpq `key=value` words.
    pub fn words(&self) -> String {
        format!("{} dbname={}", self.server, self.name)
    }

    /// The database's address as a `postgresql://` URL (what `--db` and
    /// `database.url` take), the server's socket folder and user as
    /// parameters.
    pub fn url(&self) -> String {
        let config = chartcoder::store::postgres::config(&self.server).unwrap();
        let mut url = format!("postgresql:///{}?", self.name);
        let mut sep = "";
        for host in config.get_hosts() {
            if let postgres::config::Host::Unix(path) = host {
                url.push_str(&format!("{sep}host={}", path.display()));
                sep = "&";
            }
            if let postgres::config::Host::Tcp(name) = host {
                url.push_str(&format!("{sep}host={name}"));
                sep = "&";
            }
        }
        if let Some(port) = config.get_ports().first() {
            url.push_str(&format!("{sep}port={port}"));
            sep = "&";
        }
        if let Some(user) = config.get_user() {
            url.push_str(&format!("{sep}user={user}"));
        }
        url
    }

    /// The store on this database (migrated on first open).
    pub fn store(&self) -> Store {
        Store::open_url(&self.url(), &StoreOptions::default()).unwrap()
    }

    /// A raw client on this database, for checks behind the store's back.
    pub fn client(&self) -> postgres::Client {
        chartcoder::store::postgres::connect(&self.words()).unwrap()
    }

    /// A raw client on the server's own database (to terminate sessions).
    pub fn admin(&self) -> postgres::Client {
        chartcoder::store::postgres::connect(&self.server).unwrap()
    }
}

impl Drop for TestPg {
    fn drop(&mut self) {
        if let Ok(mut admin) = chartcoder::store::postgres::connect(&self.server) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A PostgreSQL server of the test's own (for stopping and starting it under
/// a coder), in a temporary folder, on a Unix socket only; stopped and
/// removed when dropped. `None` (the test skips) where the shared server is
/// absent too.
pub struct PrivateServer {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    port: u16,
}

/// What a private server also listens on: 127.0.0.1 at a free port, with
/// TLS (a certificate and its key, PEM) or without, and a `pg_hba.conf` that
/// lets in TCP connections with TLS only (`hostssl`) or with and without it.
/// `client_certs`: the authority (PEM) whose client certificates the server
/// checks (`ssl_ca_file`) and the `pg_hba.conf` lines for TCP that go with
/// it (`hostssl … cert`, `clientcert=verify-full`), in place of the others.
pub struct Tcp {
    pub tls: Option<(String, String)>,
    pub hostssl_only: bool,
    pub client_certs: Option<(String, String)>,
}

impl PrivateServer {
    pub fn start() -> Option<PrivateServer> {
        server()?;
        let bin = pg_bin_dir().expect("the PostgreSQL server programs (initdb, pg_ctl)");
        Some(PrivateServer::start_at(bin, None))
    }

    /// A server that also listens on TCP (see [`Tcp`]); `None` (the test
    /// skips, saying so) where the PostgreSQL server programs are not
    /// installed, except under CI, where `tests/run.sh` installs them.
    pub fn start_tcp(tcp: Tcp) -> Option<PrivateServer> {
        let Some(bin) = pg_bin_dir() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "no PostgreSQL server programs under CI: tests/run.sh installs them"
            );
            eprintln!(
                "PostgreSQL TCP/TLS tests skipped: no initdb/pg_ctl found (bash tests/run.sh \
                 installs them)"
            );
            return None;
        };
        Some(PrivateServer::start_at(bin, Some(tcp)))
    }

    fn start_at(bin: std::path::PathBuf, tcp: Option<Tcp>) -> PrivateServer {
        let dir = tempfile::Builder::new()
            .prefix("chartcoder-pg-own.")
            .tempdir()
            .unwrap();
        if is_root() {
            chown_to_postgres(dir.path());
        }
        let port = free_port();
        let server = PrivateServer { dir, bin, port };
        let data = server.data();
        let init = server
            .as_owner("initdb")
            .args(["-D", &data, "-U", "postgres", "-A", "trust", "-E", "UTF8"])
            .args(["--no-locale", "--no-sync"])
            .output()
            .unwrap();
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        let mut conf = format!(
            "unix_socket_directories = '{}'\nfsync = off\n\
             shared_buffers = 16MB\nmax_connections = 60\nport = {port}\n",
            server.dir.path().display()
        );
        match &tcp {
            None => conf.push_str("listen_addresses = ''\n"),
            Some(tcp) => conf.push_str(&server.tcp_conf(tcp)),
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(format!("{data}/postgresql.conf"))
            .unwrap();
        std::io::Write::write_all(&mut file, conf.as_bytes()).unwrap();
        server.up();
        server
    }

    /// The settings (and files) of [`Tcp`].
    fn tcp_conf(&self, tcp: &Tcp) -> String {
        let mut conf = "listen_addresses = '127.0.0.1'\n".to_string();
        if let Some((ca, lines)) = &tcp.client_certs {
            let ca = self.owned_file("client_ca.crt", ca);
            conf.push_str(&format!("ssl_ca_file = '{ca}'\n"));
            self.owned_file("data/pg_hba.conf", &format!("local all all trust\n{lines}"));
        } else if tcp.hostssl_only {
            let hba = "local all all trust\nhostssl all all 127.0.0.1/32 trust\n";
            self.owned_file("data/pg_hba.conf", hba);
        }
        if let Some((cert, key)) = &tcp.tls {
            let cert = self.owned_file("server.crt", cert);
            let key = self.owned_file("server.key", key);
            conf.push_str(&format!(
                "ssl = on\nssl_cert_file = '{cert}'\nssl_key_file = '{key}'\n"
            ));
        }
        conf
    }

    /// `text` written to `name` in the server's folder, readable by the
    /// server only (as PostgreSQL wants its key); its path.
    fn owned_file(&self, name: &str, text: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        if is_root() {
            chown_to_postgres(&path);
        }
        path.display().to_string()
    }

    /// The folder of the server's Unix socket (`.s.PGSQL.<port>`).
    pub fn socket_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The TCP port (when [`PrivateServer::start_tcp`] started it).
    pub fn port(&self) -> u16 {
        self.port
    }

    fn data(&self) -> String {
        format!("{}/data", self.dir.path().display())
    }

    fn as_owner(&self, program: &str) -> std::process::Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            std::process::Command::new(path)
        }
    }

    /// Starts the server (again), waiting until it accepts connections.
    pub fn up(&self) {
        let log = format!("{}/server.log", self.dir.path().display());
        let out = self
            .as_owner("pg_ctl")
            .args(["-D", &self.data(), "-l", &log, "-w", "-t", "60", "start"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops the server at once (`immediate`: as a crash or a power cut
    /// would, open transactions lost).
    pub fn down(&self) {
        let out = self
            .as_owner("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A `postgresql://` URL of the database `name` on this server over TCP
    /// (see [`PrivateServer::start_tcp`]): host name `host` (what a
    /// certificate is checked against), at 127.0.0.1, `tls` the TLS words
    /// (`sslmode=…&sslrootcert=…`).
    pub fn tcp_url(&self, name: &str, host: &str, tls: &str) -> String {
        format!(
            "postgresql://postgres@{host}:{}/{name}?hostaddr=127.0.0.1&{tls}",
            self.port
        )
    }

    /// A `postgresql://` URL of the database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgresql:///{name}?host={}&port={}&user=postgres",
            self.dir.path().display(),
            self.port
        )
    }

    /// Creates the database `name`.
    pub fn create(&self, name: &str) {
        let mut admin = chartcoder::store::postgres::connect(&self.url("postgres")).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = self
            .as_owner("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn chown_to_postgres(path: &std::path::Path) {
    let status = std::process::Command::new("chown")
        .args(["postgres:", &path.display().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A TCP port nothing listens on now on 127.0.0.1.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Where initdb and pg_ctl are: on PATH, else Debian's newest version.
fn pg_bin_dir() -> Option<std::path::PathBuf> {
    if let Ok(out) = std::process::Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        && out.status.success()
    {
        let path = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        return path.parent().map(std::path::Path::to_path_buf);
    }
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| d.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}
