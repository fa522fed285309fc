//! What a panic prints: where it happened, never what it said. A panic's own
//! text can quote the data it was working on (slicing a string in the middle
//! of a character prints the whole string, a patient's name included), and
//! PHI must not reach a terminal's scrollback, a log or an error report.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the workstation owns the terminal: a panic on a worker thread is
/// then not printed over its screen (the workstation says on its screen that
/// the worker stopped, and where, from [`last`]).
static SCREEN_OWNED: AtomicBool = AtomicBool::new(false);
/// Where the latest panic happened.
static LAST: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the standard panic message (which quotes the panic's text) with
/// one that gives the thread and source location only. A backtrace, when
/// `RUST_BACKTRACE` asks for one, holds function names, not data: it is kept.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        // println! to a reader that went away (`chartcoder ... | head`): end
        // quietly as a program killed by SIGPIPE does.
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied());
        if payload
            .is_some_and(|p| p.starts_with("failed printing to std") && p.contains("Broken pipe"))
        {
            broken_pipe();
        }
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("a worker thread");
        let at = info.location().map_or_else(
            || "an unknown place".to_string(),
            |l| format!("{}:{}", l.file(), l.line()),
        );
        let place = format!("{thread} at {at}");
        if let Ok(mut last) = LAST.lock() {
            *last = Some(place.clone());
        }
        if thread != "main" && SCREEN_OWNED.load(Ordering::Relaxed) {
            return;
        }
        // Never panic here (a second panic aborts): a closed standard error
        // loses the message, nothing more.
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", report(&place));
        let trace = std::backtrace::Backtrace::capture();
        if trace.status() == std::backtrace::BacktraceStatus::Captured {
            let _ = writeln!(err, "{trace}");
        }
    }));
}

/// The message for a panic at `place` ("thread at file:line").
pub fn report(place: &str) -> String {
    format!(
        "chartcoder: internal error in {place} (a bug: please report this line). \
         Every change acknowledged as saved is safe in the database; a change in \
         flight was not saved. The error's own text is withheld: it may hold \
         patient information."
    )
}

/// Where the latest panic happened, if one did.
pub fn last() -> Option<String> {
    LAST.lock().ok().and_then(|l| l.clone())
}

/// "`what` stopped on an internal error (where)": for the workstation's
/// message line when one of its threads has panicked.
pub fn stopped(what: &str) -> String {
    match last() {
        Some(place) => format!("{what} stopped on an internal error ({place})"),
        None => format!("{what} stopped on an internal error"),
    }
}

/// Tells the hook whether the workstation owns the terminal.
pub fn screen_owned(owned: bool) {
    SCREEN_OWNED.store(owned, Ordering::Relaxed);
}

/// Ends the process as SIGPIPE's default action does (quietly, status 128+13
/// in a shell): the reader of our output has gone away. Rust ignores SIGPIPE,
/// so a write gets EPIPE instead; this is where that ends.
pub fn broken_pipe() -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGPIPE);
    std::process::exit(128 + signal_hook::consts::SIGPIPE)
}

/// Whether `e` (or what caused it) is a write to a closed pipe.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<csv::Error>().is_some_and(|c| {
                matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}
