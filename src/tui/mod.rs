//! The coding workstation in the terminal.
//!
//! The loop blocks on one channel (see `wake`): the terminal's events, read
//! on a thread of their own, the saver's and the reader's answers and the
//! code sets all arrive there; timers (the lock, the claim's heartbeat, the
//! queue's refresh, the slow-save notice) are deadlines it waits until
//! ([`App::next_deadline`]). It draws only when something changed, coalesces
//! a burst of keys into one frame, and restores the terminal on every way
//! out: normal quit, error, panic (ratatui's hook), and SIGTERM / SIGHUP (an
//! SSH connection dropping; see `hangup` for a terminal that vanishes under
//! crossterm).

pub mod app;
pub mod bar_out;
pub mod chart;
pub mod chart_keys;
pub mod focus;
mod hangup;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod prompts;
pub mod queries;
pub mod query_form;
pub mod queue;
pub mod reader;
pub mod reading;
pub mod refresh;
pub mod reports;
pub mod review;
pub mod review_queue;
pub mod saver;
pub mod screens;
pub mod search_popup;
pub mod text;
pub mod theme;
pub mod wake;
pub mod wire;
pub mod workers;

use crate::store::Store;
use app::App;
use crossterm::event;
use ratatui::backend::CrosstermBackend;
use std::io::Stdout;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use wake::{Wake, Waker};

/// ratatui's `try_init` (panic hook, raw mode, alternate screen), with the
/// gap-filling backend of `wire` between the terminal and crossterm.
fn init_terminal() -> std::io::Result<ratatui::Terminal<wire::GapFill<CrosstermBackend<Stdout>>>> {
    // A worker thread's panic leaves the screen to the workstation, which
    // says the worker stopped; only the main thread's ends the session.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            ratatui::restore();
        }
        previous(info);
    }));
    crate::fault::screen_owned(true);
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    ratatui::Terminal::new(wire::GapFill::new(CrosstermBackend::new(std::io::stdout())))
}

/// Runs the workstation until the coder quits or the session ends.
pub fn run(store: Store, user: &str, config: &crate::config::Config) -> anyhow::Result<()> {
    if store.is_read_only() {
        anyhow::bail!(
            "{} can only be read (a read-only file, folder or disk): the workstation saves \
             claims, codes and an audit row for every chart it opens, so it does not start; \
             audit, query list and report queries still work",
            store.display_path()
        );
    }
    let terminate = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&terminate))?;
    }
    let mut terminal = init_terminal()?;
    // Bracketed paste: a phrase pasted from the EHR arrives as one paste (it
    // goes into the search term), not as keys (its newline would be Enter).
    // Turned off again on every way out, a panic included.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        }
        previous(info);
    }));
    let mut logged_off = None;
    let result = (|| -> anyhow::Result<()> {
        let size = terminal.size()?;
        let today = chrono::Local::now().date_naive();
        let mut app = App::new(store, user, today, size.width, size.height);
        app.keymap = keymap::Keymap::from_config(&config.keys)
            .map_err(|e| anyhow::anyhow!("config: {e}"))?;
        // The app starts with the bundled templates; a site folder adds its own.
        if let Some(dir) = config.queries.templates_dir() {
            match crate::query::templates::load(Some(&dir)) {
                Ok(t) => app.query_templates = Arc::new(t),
                Err(e) => app.message = Some(format!("{e} (the bundled templates are used)")),
            }
        }
        app.outbox = config.queries.outbox_dir();
        app.hl7_outbox = config.hl7.outbox_dir();
        // The idle lock asks for the login password when PAM can check it.
        if crate::identity::PASSWORD_CHECK {
            app.unlock = Some(Arc::new(|password: &str| {
                crate::identity::check_password(crate::identity::os_user(), password)
            }));
        }
        app.response_hours = config.queries.response_hours;
        app.base_rate = config.reports.base_rate as f64;
        app.hospital_status = crate::reference::working_drg::hospital_status(config.drg.poa_exempt);
        app.load_codesets_in_background(
            config.cache_dir(),
            crate::search::cache::UserTables::from_config(&config.codesets),
            crate::edits::SiteFiles::from_config(&config.edits),
        );
        let watchdog = hangup::spawn(Arc::clone(&terminate), app.waker())?;
        spawn_input(app.waker())?;
        let mut dirty = true;
        while !app.should_quit && !terminate.load(Ordering::Relaxed) {
            if dirty {
                terminal.draw(|frame| screens::render(&app, frame))?;
                dirty = false;
            }
            let wait = app
                .next_deadline()
                .map(|due| due.saturating_duration_since(Instant::now()));
            if let Some(wake) = app.next_wake(wait) {
                if let Wake::InputFailed(why) = wake {
                    anyhow::bail!(why);
                }
                dirty |= app.on_wake(wake);
                // Take everything already there (a burst of keys) before
                // drawing again.
                while !app.should_quit
                    && let Some(wake) = app.ready_wake()
                {
                    dirty |= app.on_wake(wake);
                }
            }
            dirty |= app.tick();
        }
        drop(watchdog);
        logged_off = app.logged_off.take();
        Ok(())
    })();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    crate::fault::screen_owned(false);
    ratatui::try_restore()?;
    if let Some(why) = &logged_off {
        eprintln!("chartcoder: {why}; everything saved is safe in the database");
    }
    result
}

/// Reads the terminal's events on a thread of their own and sends them to
/// the loop. The thread ends with the process (crossterm's read cannot be
/// interrupted); after the loop it only waits in `read`.
fn spawn_input(waker: Waker) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("terminal-input".into())
        .spawn(move || {
            loop {
                let wake = match event::read() {
                    Ok(ev) => Wake::Input(ev),
                    Err(e) => Wake::InputFailed(format!("the terminal could not be read: {e}")),
                };
                let failed = matches!(wake, Wake::InputFailed(_));
                if waker.send(wake).is_err() || failed {
                    break;
                }
            }
        })?;
    Ok(())
}
