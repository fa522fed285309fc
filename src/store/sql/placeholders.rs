//! Placeholders: the store writes SQLite's `?1, ?2, …`; PostgreSQL wants
//! `$1, $2, …`. The rewrite leaves string literals, quoted names and comments
//! alone, and numbers a bare `?` as SQLite does (one more than the largest
//! number so far).

/// `sql` with every `?N` (and bare `?`) outside literals and comments as `$N`.
pub fn numbered_to_dollar(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut largest = 0u32;
    let mut i = 0;
    // The text before `copied` is in `out` already.
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"') => i = after_quoted(bytes, i, quote),
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| i + p + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
            }
            b'?' => {
                let digits = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let number = match sql[i + 1..i + 1 + digits].parse::<u32>() {
                    Ok(n) => n,
                    Err(_) => largest + 1,
                };
                largest = largest.max(number);
                out.push_str(&sql[copied..i]);
                out.push('$');
                out.push_str(&number.to_string());
                i += 1 + digits;
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[copied..]);
    out
}

/// The index just past the quoted text that starts at `start` (a doubled
/// quote inside is part of it); the end of the text if it is not closed.
fn after_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::numbered_to_dollar as rewrite;

    #[test]
    fn numbered_placeholders_become_dollars() {
        assert_eq!(
            rewrite("SELECT a FROM t WHERE b = ?1 AND c > ?2 OR d = ?1"),
            "SELECT a FROM t WHERE b = $1 AND c > $2 OR d = $1"
        );
        assert_eq!(rewrite("VALUES (?10,?2)"), "VALUES ($10,$2)");
    }

    #[test]
    fn bare_placeholders_count_on_from_the_largest_number() {
        assert_eq!(rewrite("(?, ?, ?)"), "($1, $2, $3)");
        assert_eq!(rewrite("(?3, ?)"), "($3, $4)");
    }

    #[test]
    fn literals_quoted_names_and_comments_are_left_alone() {
        assert_eq!(
            rewrite("SELECT '?1', 'it''s ?2', \"col?3\" FROM t WHERE x = ?1"),
            "SELECT '?1', 'it''s ?2', \"col?3\" FROM t WHERE x = $1"
        );
        assert_eq!(
            rewrite("SELECT 1 -- is ?1 here?\nWHERE x = ?2 /* or ?3 */ AND y = ?3"),
            "SELECT 1 -- is ?1 here?\nWHERE x = $2 /* or ?3 */ AND y = $3"
        );
    }

    #[test]
    fn unclosed_literals_and_comments_run_to_the_end() {
        assert_eq!(rewrite("SELECT 'oops ?1"), "SELECT 'oops ?1");
        assert_eq!(rewrite("SELECT ?1 /* ?2"), "SELECT $1 /* ?2");
        assert_eq!(rewrite("SELECT ?1 -- ?2"), "SELECT $1 -- ?2");
    }

    #[test]
    fn text_without_placeholders_is_unchanged_including_non_ascii() {
        let sql = "SELECT 'Müller – ü' FROM t";
        assert_eq!(rewrite(sql), sql);
    }
}
