//! HL7 v2 throughput on a database file (WAL, synchronous=FULL): the same
//! 2,000 admissions through the MLLP listener (one sender, each message
//! acknowledged before the next, as senders do) beside a plain import of
//! them (`hl7::process` per message, no network), printed as messages per
//! second and as a ratio.
//!
//!     cargo bench --bench hl7

use chartcoder::interchange::hl7::{self, mllp};
use chartcoder::store::{Store, StoreOptions};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Instant;

const N: usize = 2000;

fn admission(i: usize) -> String {
    let mut pv1 = vec![String::new(); 45];
    pv1[0] = "PV1".into();
    pv1[1] = "1".into();
    pv1[2] = "I".into();
    pv1[7] = "1^Achterberg^Imani^^^Dr.".into();
    pv1[44] = "202603042215".into();
    format!(
        "MSH|^~\\&|BENCH|GENHOSP|CHARTCODER|HIM|20260304221700||ADT^A01^ADT_A01|B{i:06}|P|2.5.1\r\
         PID|1||M{i:07}^^^GENHOSP^MR||Patient^Bench{i}||19700101|F||||||||||ACCT{i:07}\r{}\r",
        pv1.join("|")
    )
}

fn main() {
    let messages: Vec<String> = (0..N).map(admission).collect();
    let dir = tempfile::tempdir().expect("temp dir");

    // Plain import: one store, each message its own transaction.
    let file_db = dir.path().join("file.db");
    let mut store = Store::open(&file_db, &StoreOptions::default()).expect("store");
    let started = Instant::now();
    for m in &messages {
        let o = hl7::process(&mut store, m.as_bytes());
        assert_eq!(o.code, hl7::AckCode::Accept, "{}", o.note);
    }
    let file_secs = started.elapsed().as_secs_f64();

    // Through the listener, over loopback.
    let mllp_db = dir.path().join("mllp.db");
    drop(Store::open(&mllp_db, &StoreOptions::default()).expect("store"));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let path = mllp_db.clone();
    let open: mllp::Opener =
        Arc::new(move || Store::open_existing(&path, &StoreOptions::default()));
    let log: mllp::Log = Arc::new(|_: &str| {});
    std::thread::spawn(move || mllp::serve(&listener, &open, &log));
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut r = mllp::FrameReader::new(s.try_clone().expect("clone"));
    let started = Instant::now();
    for m in &messages {
        let ack = mllp::send(&mut s, &mut r, m).expect("ack");
        assert!(ack.contains("MSA|AA|"), "{ack}");
    }
    let mllp_secs = started.elapsed().as_secs_f64();

    let rate = |secs: f64| N as f64 / secs;
    println!("hl7 admissions, {N} messages, synchronous=FULL, one transaction each:");
    println!(
        "  plain import (hl7::process): {:>8.0} messages/s",
        rate(file_secs)
    );
    println!(
        "  MLLP listener, loopback:     {:>8.0} messages/s",
        rate(mllp_secs)
    );
    println!(
        "  listener / import: {:.2} (the network and ACK round trip cost {:.0}%)",
        rate(mllp_secs) / rate(file_secs),
        (1.0 - file_secs / mllp_secs) * 100.0
    );
}
