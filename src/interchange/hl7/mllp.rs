//! MLLP, the framing HL7 v2 travels in over TCP: each message between a
//! start byte (0x0B) and an end pair (0x1C 0x0D), answered with its
//! acknowledgement framed the same way. A thread per connection, each with
//! its own connection to the database, so any number of senders at once
//! (their writes take turns on the database's write lock).

use crate::store::{Store, StoreError};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

pub const START: u8 = 0x0B;
pub const END: u8 = 0x1C;
pub const END_CR: u8 = 0x0D;
/// The largest message taken (a frame longer than this closes the connection).
pub const MAX_MESSAGE: usize = 16 << 20;

/// Reads frames from a byte stream; bytes outside frames are skipped.
pub struct FrameReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Where the search for the end of the frame in `buf` goes on from.
    scanned: usize,
}

impl<R: Read> FrameReader<R> {
    pub fn new(inner: R) -> Self {
        FrameReader {
            inner,
            buf: Vec::new(),
            scanned: 0,
        }
    }

    /// The next message, or `None` when the stream ends.
    pub fn next_frame(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match self.buf.iter().position(|&b| b == START) {
                Some(start) => {
                    if start > 0 {
                        self.buf.drain(..start);
                        self.scanned = 0;
                    }
                    let from = self.scanned.max(1);
                    if let Some(end) = self.buf[from..].iter().position(|&b| b == END) {
                        let end = from + end;
                        let frame = self.buf[1..end].to_vec();
                        let mut used = end + 1;
                        if self.buf.get(used) == Some(&END_CR) {
                            used += 1;
                        }
                        self.buf.drain(..used);
                        self.scanned = 0;
                        return Ok(Some(frame));
                    }
                    self.scanned = self.buf.len();
                    if self.buf.len() > MAX_MESSAGE {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("a message longer than {MAX_MESSAGE} bytes"),
                        ));
                    }
                }
                None => {
                    self.buf.clear();
                    self.scanned = 0;
                }
            }
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                return Ok(None);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Writes one framed message.
pub fn write_frame(out: &mut impl Write, message: &[u8]) -> io::Result<()> {
    let mut framed = Vec::with_capacity(message.len() + 3);
    framed.push(START);
    framed.extend_from_slice(message);
    framed.extend_from_slice(&[END, END_CR]);
    out.write_all(&framed)?;
    out.flush()
}

/// Opens a connection to the database for a connection's thread.
pub type Opener = Arc<dyn Fn() -> Result<Store, StoreError> + Send + Sync>;
/// Where the listener reports each message and connection (one line each).
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// Accepts connections until the listener fails; each is served on a
/// thread of its own.
pub fn serve(listener: &TcpListener, open: &Opener, log: &Log) -> io::Result<()> {
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                let open = Arc::clone(open);
                let thread_log = Arc::clone(log);
                let spawned = std::thread::Builder::new()
                    .name(format!("mllp {peer}"))
                    .spawn(move || {
                        let peer = peer.to_string();
                        let log = thread_log;
                        match connection(stream, &open, &log, &peer) {
                            Ok(n) => log(&format!("{peer}: closed after {n} message(s)")),
                            Err(e) => log(&format!("{peer}: connection ended: {e}")),
                        }
                    });
                if let Err(e) = spawned {
                    log(&format!("{peer}: refused, no thread for it: {e}"));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                // Out of descriptors and the like: wait a little, go on.
                log(&format!("accepting a connection failed: {e}"));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    }
}

/// Serves one sender: each message is applied and acknowledged in turn.
/// Returns how many messages it answered.
fn connection(stream: TcpStream, open: &Opener, log: &Log, peer: &str) -> io::Result<u64> {
    let mut store = open().map_err(|e| io::Error::other(e.to_string()))?;
    let mut writer = stream.try_clone()?;
    let mut reader = FrameReader::new(stream);
    let mut answered = 0;
    while let Some(frame) = reader.next_frame()? {
        let outcome = super::process(&mut store, &frame);
        write_frame(&mut writer, outcome.ack.as_bytes())?;
        answered += 1;
        log(&format!(
            "{peer}: {} {}: {} {}",
            outcome.message_type.as_deref().unwrap_or("?"),
            outcome.control_id.as_deref().unwrap_or("?"),
            outcome.code.as_str(),
            outcome.note
        ));
    }
    Ok(answered)
}

/// Sends one message and waits for its acknowledgement (tests, tools).
pub fn send(
    stream: &mut TcpStream,
    reader: &mut FrameReader<TcpStream>,
    message: &str,
) -> io::Result<String> {
    write_frame(stream, message.as_bytes())?;
    match reader.next_frame()? {
        Some(ack) => Ok(String::from_utf8_lossy(&ack).into_owned()),
        None => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed before the acknowledgement",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_found_across_reads_and_garbage_is_skipped() {
        let mut bytes = b"noise".to_vec();
        for m in ["MSH|a", "MSH|b"] {
            write_frame(&mut bytes, m.as_bytes()).unwrap();
        }
        // One byte at a time.
        struct Slow(Vec<u8>, usize);
        impl Read for Slow {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.1 >= self.0.len() {
                    return Ok(0);
                }
                buf[0] = self.0[self.1];
                self.1 += 1;
                Ok(1)
            }
        }
        let mut r = FrameReader::new(Slow(bytes, 0));
        assert_eq!(r.next_frame().unwrap().unwrap(), b"MSH|a");
        assert_eq!(r.next_frame().unwrap().unwrap(), b"MSH|b");
        assert_eq!(r.next_frame().unwrap(), None);
    }
}
