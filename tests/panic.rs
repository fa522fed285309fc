//! A panic never prints patient information. Each case runs in a child
//! process (this test binary again, with `CHARTCODER_PANIC_CASE` set), since
//! a panic hook is global to a process, and the parent reads its stderr.

use chartcoder::store::{Store, StoreOptions};
use chartcoder::tui::saver::{Command as StoreCommand, Job, Saver, Then};
use chartcoder::tui::wake::Wake;
use std::process::{Command, Output};
use std::time::Duration;

const CASE: &str = "CHARTCODER_PANIC_CASE";

/// A demo patient's name, and the MRN that goes with it.
fn patient() -> (String, String) {
    let demo: serde_json::Value = serde_json::from_str(chartcoder::demo::DEMO_CHARTS_JSON).unwrap();
    let chart = &demo["charts"][0];
    (
        chart["patient"]["name"].as_str().unwrap().to_string(),
        chart["mrn"].as_str().unwrap().to_string(),
    )
}

/// Slicing a string in the middle of a character: the standard message
/// quotes the whole string, as real code slicing a name or a note would.
fn slice_mid_character(text: &str) -> usize {
    let s = format!("{text} é");
    let cut = s.len() - 1;
    s[..cut].len()
}

/// Runs `case` in a child (the test named `test` of this file) and returns its output.
fn child(test: &str, case: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CASE, case)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

fn leaks(out: &Output) -> Vec<String> {
    let (name, mrn) = patient();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    name.split_whitespace()
        .filter(|w| w.len() > 3)
        .chain([mrn.as_str()])
        .filter(|w| text.contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_panic_says_where_it_happened_and_never_what_it_said() {
    match std::env::var(CASE).as_deref() {
        Ok("standard") => {
            let (name, mrn) = patient();
            slice_mid_character(&format!("{name} {mrn}"));
            return;
        }
        Ok("chartcoder") => {
            chartcoder::fault::install();
            let (name, mrn) = patient();
            slice_mid_character(&format!("{name} {mrn}"));
            return;
        }
        _ => {}
    }
    let test = "a_panic_says_where_it_happened_and_never_what_it_said";
    // The panic in the child really quotes the patient: Rust's own hook prints it.
    let standard = child(test, "standard");
    assert!(!standard.status.success());
    assert!(
        !leaks(&standard).is_empty(),
        "the standard message should quote the name:\n{}",
        String::from_utf8_lossy(&standard.stderr)
    );
    // chartcoder's hook: the place, no data.
    let ours = child(test, "chartcoder");
    assert!(!ours.status.success());
    let err = String::from_utf8_lossy(&ours.stderr);
    assert!(
        err.contains("chartcoder: internal error in")
            && err.contains("tests/panic.rs:")
            && err.contains("withheld"),
        "{err}"
    );
    assert_eq!(leaks(&ours), Vec::<String>::new(), "{err}");
}

#[test]
fn a_worker_that_panics_under_the_workstation_is_reported_on_its_screen_not_over_it() {
    if std::env::var(CASE).as_deref() == Ok("saver") {
        chartcoder::fault::install();
        chartcoder::fault::screen_owned(true);
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db"), &StoreOptions::default()).unwrap();
        chartcoder::demo::seed(&mut store).unwrap();
        let (waker, woken) = std::sync::mpsc::channel();
        // The saver thread runs into a bug on the job in hand.
        let (saver, _) = Saver::with_probe(&store, &waker, |_job| {
            let (name, mrn) = patient();
            assert!(slice_mid_character(&format!("{name} {mrn}")) > 0);
        });
        let job = Job::new(1, "amy", StoreCommand::Claim, Then::Open);
        assert!(
            saver.submit(job, &mut store).is_none(),
            "sent to the thread"
        );
        assert!(matches!(
            woken.recv_timeout(Duration::from_secs(10)),
            Ok(Wake::SaverStopped)
        ));
        // What the workstation shows on its message line.
        let shown = chartcoder::fault::stopped("the saver");
        assert!(
            shown.starts_with("the saver stopped on an internal error (saver at tests/panic.rs:"),
            "{shown}"
        );
        println!("shown: {shown}");
        return;
    }
    let out = child(
        "a_worker_that_panics_under_the_workstation_is_reported_on_its_screen_not_over_it",
        "saver",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("shown: the saver stopped"),
        "{stdout}\n{stderr}"
    );
    // Nothing printed over the screen, and no patient anywhere.
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert_eq!(leaks(&out), Vec::<String>::new());
}
