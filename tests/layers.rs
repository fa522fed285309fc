//! The layers hold: every `src/**/*.rs` file is read, the `crate::` paths each
//! top-level module names outside its tests are collected, and any dependency
//! outside the allowed matrix (documented in `src/lib.rs` and STYLE.md) fails.
//! So do SQL and terminal crates outside the modules that own them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each top-level module may use of the crate. A module not listed here
/// fails the test: a new module takes its place in the matrix deliberately.
const ALLOWED: &[(&str, &[&str])] = &[
    // The foundation: depends on nothing of ours.
    ("domain", &[]),
    ("sanitize", &[]),
    ("identity", &[]),
    ("fault", &[]),
    ("private_file", &[]),
    ("fast_hash", &[]),
    ("config", &[]),
    ("codeset", &[]),
    // Rules and logic over the foundation.
    ("query", &["domain", "sanitize"]),
    ("outbox", &["private_file", "sanitize"]),
    (
        "search",
        &["codeset", "config", "fast_hash", "private_file", "sanitize"],
    ),
    ("edits", &["codeset", "config", "domain"]),
    ("drg", &["domain", "fast_hash", "private_file"]),
    // The store: all SQL.
    (
        "store",
        &["domain", "query", "identity", "private_file", "sanitize"],
    ),
    // Formats in and out, and what is built on them.
    ("interchange", &["codeset", "domain", "store"]),
    ("demo", &["domain", "interchange", "store"]),
    // What a chart is checked against, loaded (and cached) in one place for
    // the workstation and the command line.
    (
        "reference",
        &[
            "codeset",
            "domain",
            "drg",
            "edits",
            "private_file",
            "search",
        ],
    ),
    // The workstation: everything below, never the command line.
    (
        "tui",
        &[
            "codeset",
            "config",
            "domain",
            "drg",
            "edits",
            "fault",
            "identity",
            "interchange",
            "outbox",
            "query",
            "reference",
            "sanitize",
            "search",
            "store",
        ],
    ),
    // The command line: everything.
    (
        "cli",
        &[
            "codeset",
            "config",
            "demo",
            "domain",
            "drg",
            "edits",
            "fault",
            "identity",
            "interchange",
            "outbox",
            "private_file",
            "query",
            "reference",
            "sanitize",
            "search",
            "store",
            "tui",
        ],
    ),
];

/// External crates owned by one layer: (crate, the modules that may name it).
const OWNED_CRATES: &[(&str, &[&str])] = &[
    // The terminal belongs to the workstation.
    ("ratatui", &["tui"]),
    ("crossterm", &["tui"]),
    // SQL belongs to the store: everything else reaches the database through
    // its SQL layer (store::sql's Db and Tx), never through rusqlite.
    ("rusqlite", &["store"]),
    // The PostgreSQL client too (`store::postgres`, the module, is not it).
    ("postgres", &["store"]),
];

/// The source of `path` without its `#[cfg(test)] mod tests` block (the
/// convention here: the unit tests close each file) and without comments.
fn product_code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .filter(|l| {
            let t = l.trim_start();
            !t.starts_with("//")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether code names the external crate `krate` (`krate::...` or `use
/// krate`), not a module of ours of the same name (`store::krate::...`).
fn names_crate(code: &str, krate: &str) -> bool {
    let path = format!("{krate}::");
    code.match_indices(&path).any(|(i, _)| {
        !code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c == ':' || c.is_alphanumeric() || c == '_')
    }) || code.contains(&format!("use {krate}"))
}

/// Every `crate::name` a text uses, also inside `use crate::{a, b::c}`.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // The first name of each part at the group's own depth.
            let mut depth = 0;
            let mut part_start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => part_start = true,
                    c if part_start && (c.is_alphanumeric() || c == '_') => name.push(c),
                    c if part_start && c.is_whitespace() && name.is_empty() => {}
                    _ if part_start => {
                        part_start = false;
                        if !name.is_empty() && name != "self" {
                            found.insert(std::mem::take(&mut name));
                        }
                        name.clear();
                    }
                    _ => {}
                }
            }
            if part_start && !name.is_empty() && name != "self" {
                found.insert(name);
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
        rest = after;
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level module of a file under src/ ("store" for src/store/queue.rs,
/// "cli" for src/cli.rs); `None` for lib.rs and main.rs.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

#[test]
fn every_module_uses_only_what_the_layers_allow() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        seen.insert(module.clone());
        let Some(may) = allowed.get(module.as_str()) else {
            wrong.push(format!(
                "{}: the module {module} is not in the layer matrix (tests/layers.rs, src/lib.rs)",
                file.display()
            ));
            continue;
        };
        let code = product_code(file);
        // Only modules are layers: a macro exported at the crate root
        // (`crate::params!`, the store's) is not one.
        let modules = crate_paths(&code)
            .into_iter()
            .filter(|used| allowed.contains_key(used.as_str()));
        for used in modules {
            if used != module && !may.contains(&used.as_str()) {
                wrong.push(format!(
                    "{}: {module} uses crate::{used}, which its layer may not",
                    file.display()
                ));
            }
        }
        for (krate, owners) in OWNED_CRATES {
            let named = names_crate(&code, krate);
            if named && !owners.contains(&module.as_str()) {
                wrong.push(format!(
                    "{}: {module} names {krate}, which only {owners:?} may",
                    file.display()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "layer violations:\n{}", wrong.join("\n"));
    // The matrix names no module that is gone.
    for (module, _) in ALLOWED {
        assert!(
            seen.contains(*module),
            "{module} is in the matrix but not in src/"
        );
    }
}

/// Inside the store, SQLite's own API is named only by the SQL layer and by
/// the SQLite part of opening a database (the file, pragmas, WAL): every
/// store function runs on the layer, so that it runs on any backend.
#[test]
fn only_the_sql_layer_and_the_sqlite_opening_name_rusqlite() {
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let mut files = Vec::new();
    rust_files(&store, &mut files);
    files.sort();
    assert!(files.len() > 20, "the store's files were not found");
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&store).unwrap();
        if rel.starts_with("sql") || rel == Path::new("mod.rs") {
            continue;
        }
        let code = product_code(file);
        if code.contains("rusqlite") {
            wrong.push(rel.display().to_string());
        }
    }
    assert!(
        wrong.is_empty(),
        "store modules naming rusqlite instead of store::sql: {wrong:?}"
    );
}

#[test]
fn the_checker_tells_a_crate_from_a_module_of_its_name() {
    assert!(names_crate("let c: postgres::Client;", "postgres"));
    assert!(names_crate("use postgres::Client;", "postgres"));
    assert!(!names_crate("store::postgres::migrate(&mut c)", "postgres"));
    assert!(!names_crate("let x = my_postgres::f();", "postgres"));
}

#[test]
fn the_checker_sees_grouped_and_nested_paths() {
    let text =
        "use crate::{domain::Chart, store::{self, Store}};\nlet x = crate::search::cache::load();";
    let found: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(found, ["domain", "search", "store"]);
}

/// The workstation never names the SQL crate, not even in its tests or
/// comments: its effects are `store::command::Command`s, its reads
/// `tui::reader::Read`s, and the store runs both.
#[test]
fn no_file_of_the_workstation_mentions_rusqlite() {
    let tui = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("tui");
    let mut files = Vec::new();
    rust_files(&tui, &mut files);
    assert!(files.len() > 10, "the workstation's files: {files:?}");
    let naming: Vec<_> = files
        .iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("rusqlite"))
        .collect();
    assert!(naming.is_empty(), "{naming:?} mention rusqlite");
}
