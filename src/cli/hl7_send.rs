//! `chartcoder hl7-send`: delivers the HL7 outbox (`hl7.outbox_dir`) to the
//! billing system's MLLP receiver (`hl7.send_to`).
//!
//! Each message is a file; files go out in name order (the order they were
//! made in), one at a time. A message is sent again, after a wait that
//! doubles from `hl7.retry_initial_ms` up to `hl7.retry_max_ms`, until the
//! receiver answers AA (or CA) with MSA-2 naming its control id; only then
//! is the file moved into `sent/` (a rename, then the folder synced). So a
//! message not yet acknowledged is still in the outbox after a restart, and
//! one acknowledged is never sent again. Killed between the AA and the
//! rename, the one message is sent again under the same MSH-10, which a
//! receiver recognises as a duplicate.

use crate::config::Config;
use crate::interchange::hl7::mllp::{self, FrameReader};
use crate::sanitize::line;
use anyhow::{Context, anyhow};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// How long a receiver has to answer one message.
const ACK_TIMEOUT: Duration = Duration::from_secs(30);
/// How often an empty outbox is looked at again.
const POLL: Duration = Duration::from_secs(2);

/// The messages waiting, by name.
fn pending(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "hl7"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    files.sort();
    Ok(files)
}

/// MSH-10 of a message.
fn control_id(message: &str) -> Option<&str> {
    let msh = message.split(['\r', '\n']).next()?;
    let sep = msh.get(3..4)?;
    msh.split(sep).nth(9).filter(|c| !c.is_empty())
}

/// What a receiver answered.
enum Answer {
    Accepted,
    Not(String),
}

/// MSA-1 and MSA-2 of an acknowledgement, checked against our control id.
fn read_ack(ack: &str, control: &str) -> Answer {
    let Some(msa) = ack.split(['\r', '\n']).find(|s| s.starts_with("MSA")) else {
        return Answer::Not("the answer has no MSA segment".into());
    };
    let sep = msa.get(3..4).unwrap_or("|");
    let fields: Vec<&str> = msa.split(sep).collect();
    let code = fields.get(1).copied().unwrap_or("");
    let echoed = fields.get(2).copied().unwrap_or("");
    if echoed != control {
        return Answer::Not(format!(
            "MSA-2 {:?} is not the message's control id",
            line(echoed)
        ));
    }
    match code {
        "AA" | "CA" => Answer::Accepted,
        other => Answer::Not(format!(
            "{} {}",
            line(other),
            line(fields.get(3).copied().unwrap_or(""))
        )),
    }
}

struct Link {
    stream: TcpStream,
    reader: FrameReader<TcpStream>,
}

fn connect(to: &str) -> anyhow::Result<Link> {
    let addr = to
        .to_socket_addrs()
        .with_context(|| format!("hl7.send_to {to:?} is not host:port"))?
        .next()
        .ok_or_else(|| anyhow!("hl7.send_to {to:?} names no address"))?;
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_read_timeout(Some(ACK_TIMEOUT))?;
    let reader = FrameReader::new(stream.try_clone()?);
    Ok(Link { stream, reader })
}

/// One try at one message.
fn try_send(
    link: &mut Option<Link>,
    to: &str,
    message: &str,
    control: &str,
) -> anyhow::Result<Answer> {
    if link.is_none() {
        *link = Some(connect(to)?);
    }
    let Some(l) = link.as_mut() else {
        return Err(anyhow!("not connected"));
    };
    let ack = mllp::send(&mut l.stream, &mut l.reader, message)?;
    Ok(read_ack(&ack, control))
}

/// Moves an acknowledged message into `sent/`, durably.
fn file_away(file: &Path, sent: &Path) -> anyhow::Result<()> {
    let Some(name) = file.file_name() else {
        return Ok(());
    };
    std::fs::rename(file, sent.join(name))
        .with_context(|| format!("cannot move {} into {}", file.display(), sent.display()))?;
    for dir in [sent, file.parent().unwrap_or(Path::new("."))] {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Delivers the outbox; with `once`, returns when it is empty.
pub fn run(config: &Config, once: bool) -> anyhow::Result<ExitCode> {
    let dir = config.hl7.outbox_dir().ok_or_else(|| {
        anyhow!("hl7.outbox_dir is not set in the config: there is no outbox to send")
    })?;
    let to = config
        .hl7
        .send_to()
        .ok_or_else(|| anyhow!("hl7.send_to is not set in the config: there is no receiver"))?
        .to_string();
    let sent = dir.join("sent");
    crate::private_file::create_dir(&sent)
        .with_context(|| format!("cannot create {}", sent.display()))?;
    let initial = Duration::from_millis(config.hl7.retry_initial_ms.max(1));
    let longest = Duration::from_millis(config.hl7.retry_max_ms.max(1)).max(initial);
    let mut link: Option<Link> = None;
    loop {
        let files = pending(&dir)?;
        if files.is_empty() {
            if once {
                println!("chartcoder: the HL7 outbox is empty");
                return Ok(ExitCode::SUCCESS);
            }
            std::thread::sleep(POLL);
            continue;
        }
        for file in files {
            let name = line(&file.display().to_string()).into_owned();
            let message =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {name}"))?;
            let Some(control) = control_id(&message).map(str::to_string) else {
                eprintln!("chartcoder: {name}: no MSH-10: left in the outbox");
                continue;
            };
            let mut wait = initial;
            loop {
                match try_send(&mut link, &to, &message, &control) {
                    Ok(Answer::Accepted) => {
                        file_away(&file, &sent)?;
                        println!("{name}: {} acknowledged AA: moved to sent/", line(&control));
                        break;
                    }
                    Ok(Answer::Not(why)) => {
                        eprintln!(
                            "{name}: {} not accepted ({why}): sent again in {} ms",
                            line(&control),
                            wait.as_millis()
                        );
                    }
                    Err(e) => {
                        link = None;
                        eprintln!(
                            "{name}: {} not delivered ({}): sent again in {} ms",
                            line(&control),
                            line(&format!("{e:#}")),
                            wait.as_millis()
                        );
                    }
                }
                std::thread::sleep(wait);
                wait = (wait * 2).min(longest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ack_must_accept_and_name_our_message() {
        let ack = |msa: &str| format!("MSH|^~\\&|B|H|C|H|20260101||ACK^P12|X|P|2.6\r{msa}\r");
        assert!(matches!(
            read_ack(&ack("MSA|AA|CC1T5"), "CC1T5"),
            Answer::Accepted
        ));
        assert!(matches!(
            read_ack(&ack("MSA|CA|CC1T5"), "CC1T5"),
            Answer::Accepted
        ));
        assert!(matches!(
            read_ack(&ack("MSA|AE|CC1T5|bad"), "CC1T5"),
            Answer::Not(_)
        ));
        assert!(matches!(
            read_ack(&ack("MSA|AA|OTHER"), "CC1T5"),
            Answer::Not(_)
        ));
        assert_eq!(
            control_id("MSH|^~\\&|A|B|C|D|T||BAR^P12|CC7T9|P|2.6\rEVN|P12"),
            Some("CC7T9")
        );
    }
}
