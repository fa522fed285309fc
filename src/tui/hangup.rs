//! Leaving when the terminal goes away.
//!
//! When an SSH connection drops, the kernel hangs up the terminal and sends
//! SIGHUP. crossterm 0.29 cannot notice: once its tty reads return EOF or EIO,
//! `event::read` spins forever inside its read loop (crossterm issue #793) on the
//! thread that reads the terminal, and the process would burn a core
//! indefinitely on a shared server. This watchdog runs beside the UI: on a
//! hang-up of the terminal (POLLHUP), or a SIGTERM/SIGHUP the UI loop has not acted
//! on within a grace period, it ends the process. Nothing is lost by that: every
//! change was committed in its own transaction, and there is no terminal left to
//! restore.

use super::wake::{Wake, Waker};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long the UI loop gets to finish by itself after a termination request.
const GRACE: Duration = Duration::from_millis(1000);

/// Stops the watchdog when the UI loop has finished normally.
pub struct Watchdog {
    finished: Arc<AtomicBool>,
    /// Wakes the watchdog's wait (it then sees `finished`).
    nudge: UnixStream,
    signals: Vec<signal_hook::SigId>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::SeqCst);
        let _ = self.nudge.write_all(b"x");
        for id in self.signals.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Waits, without a timer unless `timeout` is set, until the terminal hangs
/// up (its master side closed) or the wake socket has bytes (a signal, or the
/// UI loop finishing); returns whether the terminal hung up.
fn wait(tty: Option<&File>, wake: &mut UnixStream, timeout: Option<Duration>) -> bool {
    let timeout = timeout.map(|t| Timespec {
        tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(t.subsec_nanos()),
    });
    let mut fds = vec![PollFd::new(&*wake, PollFlags::IN)];
    if let Some(tty) = tty {
        fds.push(PollFd::new(tty, PollFlags::empty()));
    }
    if poll(&mut fds, timeout.as_ref()).is_err() {
        // Interrupted (EINTR: a signal): the caller looks again.
        return false;
    }
    let ended = PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL;
    let woken = fds[0].revents().intersects(PollFlags::IN | ended);
    let hung_up = fds.get(1).is_some_and(|f| f.revents().intersects(ended));
    drop(fds);
    if woken {
        let mut buf = [0u8; 64];
        let _ = wake.read(&mut buf);
    }
    hung_up
}

/// Starts watching. `terminate` is the flag the signal handlers set; a hang-up
/// sets it too, and the UI loop is woken ([`Wake::Terminate`]), so a loop
/// that is still responsive quits the normal way. The watchdog sleeps until
/// something happens (a signal reaches it through a socket pair; the terminal
/// is watched with `poll`): an idle workstation wakes no thread.
pub fn spawn(terminate: Arc<AtomicBool>, waker: Waker) -> std::io::Result<Watchdog> {
    let finished = Arc::new(AtomicBool::new(false));
    let done = Arc::clone(&finished);
    // The controlling terminal, whichever of stdin or /dev/tty crossterm reads.
    let tty = File::open("/dev/tty").ok();
    let (mut wake, nudge) = UnixStream::pair()?;
    wake.set_nonblocking(true)?;
    let mut signals = Vec::new();
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signals.push(signal_hook::low_level::pipe::register(
            signal,
            nudge.try_clone()?,
        )?);
    }
    std::thread::Builder::new()
        .name("hangup-watchdog".into())
        .spawn(move || {
            let mut asked_at: Option<Instant> = None;
            let mut tty = tty;
            while !done.load(Ordering::SeqCst) {
                let timeout = asked_at.map(|t| GRACE.saturating_sub(t.elapsed()));
                if wait(tty.as_ref(), &mut wake, timeout) {
                    // A hung-up terminal stays readable: watch it no more.
                    tty = None;
                    terminate.store(true, Ordering::SeqCst);
                }
                if done.load(Ordering::SeqCst) {
                    break;
                }
                if terminate.load(Ordering::SeqCst) && asked_at.is_none() {
                    asked_at = Some(Instant::now());
                    let _ = waker.send(Wake::Terminate);
                }
                if asked_at.is_some_and(|t| t.elapsed() >= GRACE) && !done.load(Ordering::SeqCst) {
                    std::process::exit(0);
                }
            }
        })?;
    Ok(Watchdog {
        finished,
        nudge,
        signals,
    })
}
