//! Leaving when the terminal goes away.
//!
//! When an SSH connection drops, the kernel hangs up the terminal and sends
//! SIGHUP. crossterm 0.29 cannot notice: once its tty reads return EOF or EIO,
//! `event::poll` spins forever inside its read loop (crossterm issue #793), so the
//! UI thread never gets back to check the signal flag and the process would burn
//! a core indefinitely on a shared server. This watchdog runs beside the UI: on a
//! hang-up of the terminal (POLLHUP), or a SIGTERM/SIGHUP the UI loop has not acted
//! on within a grace period, it ends the process. Nothing is lost by that: every
//! change was committed in its own transaction, and there is no terminal left to
//! restore.

use super::wake::{Wake, Waker};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use std::fs::File;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long the UI loop gets to finish by itself after a termination request.
const GRACE: Duration = Duration::from_millis(1000);
const CHECK_EVERY: Duration = Duration::from_millis(100);

/// Stops the watchdog when the UI loop has finished normally.
pub struct Watchdog {
    finished: Arc<AtomicBool>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::SeqCst);
    }
}

/// Whether the terminal has hung up (its master side closed).
fn hung_up(tty: &File) -> bool {
    let mut fds = [PollFd::new(tty, PollFlags::empty())];
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match poll(&mut fds, Some(&now)) {
        Ok(_) => fds[0]
            .revents()
            .intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL),
        Err(_) => false,
    }
}

/// Starts watching. `terminate` is the flag the signal handlers set; a hang-up
/// sets it too, and the UI loop is woken ([`Wake::Terminate`]), so a loop
/// that is still responsive quits the normal way.
pub fn spawn(terminate: Arc<AtomicBool>, waker: Waker) -> std::io::Result<Watchdog> {
    let finished = Arc::new(AtomicBool::new(false));
    let done = Arc::clone(&finished);
    // The controlling terminal, whichever of stdin or /dev/tty crossterm reads.
    let tty = File::open("/dev/tty").ok();
    std::thread::Builder::new()
        .name("hangup-watchdog".into())
        .spawn(move || {
            let mut asked_at: Option<Instant> = None;
            while !done.load(Ordering::SeqCst) {
                if tty.as_ref().is_some_and(hung_up) {
                    terminate.store(true, Ordering::SeqCst);
                }
                if terminate.load(Ordering::SeqCst) && asked_at.is_none() {
                    let _ = waker.send(Wake::Terminate);
                }
                if terminate.load(Ordering::SeqCst)
                    && asked_at.get_or_insert_with(Instant::now).elapsed() >= GRACE
                    && !done.load(Ordering::SeqCst)
                {
                    std::process::exit(0);
                }
                std::thread::sleep(CHECK_EVERY);
            }
        })?;
    Ok(Watchdog { finished })
}
