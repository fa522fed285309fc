//! The end-to-end tests' terminal: a private tmux server running the real
//! binary, driven by keys and read back from the screen with deadlines
//! (tests/e2e_tmux.rs, tests/pg_e2e_tmux.rs).
//!
//! tmux is required (`.ci/run` installs it); without it these tests fail with a
//! message saying so, rather than passing without running.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_chartcoder");
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A private tmux server running one program.
pub struct Tmux {
    pub socket: String,
}

pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Tmux {
    pub fn start(name: &str, shell_command: &str, width: u16, height: u16) -> Tmux {
        let socket = format!("chartcoder-e2e-{name}-{}", std::process::id());
        let tmux = Tmux { socket };
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            shell_command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("tmux is required for the end-to-end tests (apt-get install tmux): {e}")
            })
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        assert!(self.run(&["send-keys", "-l", text]).status.success());
    }

    /// Presses named keys (Enter, Escape, Down, ...).
    pub fn press(&self, key: &str) {
        assert!(self.run(&["send-keys", key]).status.success());
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    /// Waits until the screen satisfies `ready`, or fails showing the screen.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if start.elapsed() > DEADLINE {
                panic!("timed out waiting for {what}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Waits until the `>` marker is on the row of `account`.
    pub fn wait_selected(&self, account: &str, what: &str) -> String {
        self.wait_for(what, |s| selected_line(s).contains(account))
    }

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    pub fn alive(&self) -> bool {
        self.run(&["has-session"]).status.success()
    }

    pub fn wait_exit(&self) {
        let start = Instant::now();
        while self.alive() {
            assert!(
                start.elapsed() < DEADLINE,
                "chartcoder did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn pane_pid(&self) -> u32 {
        let out = self.run(&["display-message", "-p", "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The shell command that runs chartcoder with a private home.
pub fn chartcoder(home: &Path, args: &str) -> String {
    format!(
        "env -i HOME={home} XDG_DATA_HOME={data} USER=e2e-coder TERM=xterm-256color PATH=/usr/bin:/bin {bin} {args}",
        home = quote(home.to_str().unwrap()),
        data = quote(home.join("data").to_str().unwrap()),
        bin = quote(BIN),
    )
}

/// The first process whose parent is `parent` (from /proc, needing no procps).
pub fn child_of(parent: u32) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
            let ppid: u32 = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (ppid == parent).then_some(pid)
        })
}

/// The line of the screen with the `>` selection marker.
pub fn selected_line(screen: &str) -> &str {
    screen.lines().find(|l| l.contains("│> ")).unwrap_or("")
}

/// The coding flow of the end-to-end tests, from the demo queue (38 charts)
/// to quitting: the oldest chart gets E11.65 and I50.9 (moved up to be the
/// principal, POA Y) and a heart-failure physician query, which puts it on
/// hold; the next one gets J18.9 (typed in part, the rest pasted), POA Y,
/// and is completed. The callers check the database.
pub fn code_the_two_demo_charts(tmux: &Tmux) {
    tmux.wait_text("38 charts");

    // The oldest chart: open it; the edits pane answers once the code sets are in.
    tmux.press("Enter");
    tmux.wait_text("A26101408");
    let start = Instant::now();
    while !tmux.screen().contains("Edits (1 error)") {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "code sets never loaded:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A secondary first, then chf -> I50.9, moved up to be the principal.
    tmux.type_text("a");
    tmux.wait_text("Add a diagnosis");
    tmux.type_text("diab t2 hyperglyc");
    tmux.wait_text("> E11.65");
    tmux.press("Enter");
    tmux.wait_text("Diagnoses (1)");
    tmux.type_text("a");
    tmux.type_text("chf");
    tmux.wait_text("> I50.9");
    tmux.press("Enter");
    tmux.wait_text("Diagnoses (2)");
    tmux.type_text("K");
    tmux.wait_for("I50.9 first", |s| s.contains("> 1  I50.9"));
    tmux.type_text("Py");
    tmux.wait_for("POA Y on I50.9", |s| s.contains("> 1  I50.9    Y"));
    // A physician query from the heart-failure template: one indicator picked
    // from the document, one typed; Ctrl-S sends it and the chart goes on hold.
    tmux.type_text("f");
    tmux.wait_text("Physician query");
    tmux.wait_text("cannot send yet");
    tmux.press("Down");
    tmux.wait_text("Heart failure type and acuity");
    for _ in 0..4 {
        tmux.press("Tab");
    }
    tmux.wait_text("(Left/Right: other");
    tmux.press("Enter");
    tmux.wait_text("Indicators  1 ");
    tmux.type_text("BNP 1,450 pg/mL");
    tmux.press("Enter");
    tmux.wait_text("Indicators  2 ");
    tmux.wait_text("ready to send: Ctrl-S");
    tmux.press("C-s");
    tmux.wait_text("sent: the chart is on hold");
    tmux.wait_text("on hold: physician query #1 to");
    tmux.press("Escape");
    tmux.wait_text("chart queue");

    // The next chart: pneumonia, POA Y, complete.
    tmux.type_text("j");
    tmux.wait_selected("A26102005", "the second chart");
    tmux.press("Enter");
    tmux.wait_text("A26102005");
    // The rest of the term pasted (bracketed paste), line break and all, while
    // hits are shown: the line break must not assign one.
    tmux.type_text("a");
    tmux.type_text("pneumo");
    tmux.wait_text("> J18.9");
    assert!(tmux.run(&["set-buffer", "--", "nia\n"]).status.success());
    assert!(tmux.run(&["paste-buffer", "-p"]).status.success());
    tmux.wait_text("search: pneumonia");
    std::thread::sleep(Duration::from_millis(300));
    let screen = tmux.screen();
    assert!(
        screen.contains("Add a diagnosis"),
        "the paste's line break assigned:\n{screen}"
    );
    tmux.wait_text("> J18.9");
    tmux.press("Enter");
    tmux.wait_text("J18.9");
    tmux.type_text("Py");
    tmux.wait_for("POA Y on J18.9", |s| s.contains("J18.9    Y"));
    tmux.type_text("c");
    tmux.wait_text("chart completed: coded");
    tmux.type_text("q");
    tmux.wait_exit();
}

/// A file of one chart for `chartcoder import`: the demo chart `like` under
/// a new account and MRN (so it sorts beside it in the queue).
pub fn one_chart_like(dir: &Path, like: &str, account: &str) -> String {
    let demo: serde_json::Value = serde_json::from_str(chartcoder::demo::DEMO_CHARTS_JSON).unwrap();
    let mut chart = demo["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["account"] == like)
        .unwrap()
        .clone();
    chart["account"] = account.into();
    chart["mrn"] = format!("MRN-{account}").into();
    let path = dir.join(format!("{account}.json"));
    std::fs::write(&path, serde_json::json!({ "charts": [chart] }).to_string()).unwrap();
    path.to_str().unwrap().to_string()
}
