//! Files and functions stay small enough to read (issue 13): no file in
//! `src/` over 800 lines and no function over 100, tests aside (a
//! `#[cfg(test)]` module is not counted). A file that is a data table says so
//! in its first line (`//! Data table:`) and is exempt from the file limit.

use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 100;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The line with comments, string and char literals blanked, so braces in
/// them are not counted. `in_block` carries a `/* */` comment across lines;
/// `in_str` a string literal.
fn code_only(line: &str, in_block: &mut bool, in_str: &mut bool) -> String {
    let b: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if *in_block {
            if c == '*' && next == Some('/') {
                *in_block = false;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if *in_str {
            if c == '\\' {
                i += 2;
            } else {
                if c == '"' {
                    *in_str = false;
                }
                i += 1;
            }
            continue;
        }
        match c {
            '/' if next == Some('/') => break,
            '/' if next == Some('*') => {
                *in_block = true;
                i += 2;
            }
            '"' => {
                *in_str = true;
                i += 1;
            }
            // A char literal ('{', '\'', '\u{7b}'); a lifetime has no closing quote soon.
            '\'' => {
                let close = (i + 2..(i + 12).min(b.len())).find(|&j| b[j] == '\'');
                match close {
                    Some(j) if next != Some('\'') => i = j + 1,
                    _ => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn is_fn_start(code: &str) -> Option<String> {
    let t = code.trim_start();
    let words: Vec<&str> = t.split_whitespace().collect();
    let pos = words.iter().position(|w| *w == "fn")?;
    let before_ok = words[..pos].iter().all(|w| {
        matches!(
            *w,
            "pub" | "const" | "async" | "unsafe" | "extern" | "default"
        ) || w.starts_with("pub(")
            || w.starts_with("\"")
    });
    if !before_ok {
        return None;
    }
    let name = words.get(pos + 1)?;
    Some(name.split(['(', '<']).next().unwrap_or(name).to_string())
}

/// (name, first line, length) of every function outside test modules whose
/// body is longer than `MAX_FN_LINES`.
fn long_functions(text: &str) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    let (mut in_block, mut in_str) = (false, false);
    let mut depth: i64 = 0;
    // (depth the item opened at, name, first line) of open functions.
    let mut open: Vec<(i64, String, usize)> = Vec::new();
    let mut skip_test_mod: Option<i64> = None;
    let mut cfg_test = false;
    let mut pending_fn: Option<(String, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        let code = code_only(line, &mut in_block, &mut in_str);
        let trimmed = code.trim();
        if trimmed.starts_with("#[cfg(test)]") {
            cfg_test = true;
        }
        if skip_test_mod.is_none()
            && let Some(name) = is_fn_start(&code)
        {
            pending_fn = Some((name, n + 1));
        }
        let opens_test_mod = cfg_test && trimmed.starts_with("mod ") && trimmed.contains('{');
        for c in code.chars() {
            match c {
                '{' => {
                    if opens_test_mod && skip_test_mod.is_none() {
                        skip_test_mod = Some(depth);
                    } else if let Some((name, line)) = pending_fn.take() {
                        open.push((depth, name, line));
                    }
                    depth += 1;
                }
                '}' => {
                    depth -= 1;
                    if skip_test_mod == Some(depth) {
                        skip_test_mod = None;
                    }
                    if open.last().is_some_and(|(d, _, _)| *d == depth)
                        && let Some((_, name, start)) = open.pop()
                    {
                        let len = n + 1 - start + 1;
                        if len > MAX_FN_LINES {
                            found.push((name, start, len));
                        }
                    }
                }
                // A declaration without a body (a trait method).
                ';' if pending_fn.is_some() && !code.contains('{') => pending_fn = None,
                _ => {}
            }
        }
        if !trimmed.is_empty() && !trimmed.starts_with("#[") {
            cfg_test = cfg_test && opens_test_mod;
        }
    }
    found
}

#[test]
fn no_file_over_800_lines_and_no_function_over_100() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "found only {} source files", files.len());
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let rel = f.strip_prefix(&src).unwrap_or(f).display().to_string();
        let data_table = text
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("//! Data table:"));
        // Lines before the file's test module.
        let product_lines = text
            .lines()
            .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
            .count();
        if !data_table && product_lines > MAX_FILE_LINES {
            problems.push(format!(
                "{rel}: {product_lines} lines (limit {MAX_FILE_LINES})"
            ));
        }
        for (name, line, len) in long_functions(&text) {
            problems.push(format!(
                "{rel}:{line}: fn {name} is {len} lines (limit {MAX_FN_LINES})"
            ));
        }
    }
    assert!(problems.is_empty(), "too large:\n{}", problems.join("\n"));
}

#[test]
fn the_checker_measures_functions_and_skips_tests() {
    let mut text = String::from("pub fn short() {\n    let s = \"}\";\n}\n");
    text.push_str("pub(crate) fn long(x: u8) -> u8 {\n");
    for _ in 0..100 {
        text.push_str("    let _ = '{';\n");
    }
    text.push_str("    x\n}\n");
    text.push_str("trait T {\n    fn decl(&self);\n}\n");
    text.push_str("#[cfg(test)]\nmod tests {\n    fn in_test() {\n");
    for _ in 0..150 {
        text.push_str("        let _ = 1;\n");
    }
    text.push_str("    }\n}\n");
    let found = long_functions(&text);
    assert_eq!(found, vec![("long".to_string(), 4, 103)]);
}
