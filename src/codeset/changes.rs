//! The FY2027 change lists (added, deleted, revised codes) applied on top of
//! the FY2026 tabular, so that both editions exist in one tree.

use super::{
    CodeSetError, Edition, FY2027_ADDED, FY2027_DELETED, FY2027_REVISED, IcdCm, NodeKind,
    TabularNode, check_csv_quotes, code_key, csv_error, dotted,
};
use std::collections::HashMap;

/// One row of a change list: its line and its fields by column name.
struct ChangeRow {
    line: usize,
    fields: HashMap<String, String>,
}

impl ChangeRow {
    fn get(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", String::as_str)
    }
}

/// Reads a change list (CSV with a header naming at least `required`).
fn parse_change_csv(
    file: &str,
    text: &str,
    required: &[&str],
) -> Result<Vec<ChangeRow>, CodeSetError> {
    check_csv_quotes(file, text, b',', 1)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let at = |e: csv::Error| csv_error(file, &e);
    let header = reader.headers().map_err(at)?.clone();
    for col in required {
        if !header.iter().any(|h| h == *col) {
            return Err(CodeSetError::at(
                file,
                1,
                format!("the header lacks the column {col}"),
            ));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(at)?;
        rows.push(ChangeRow {
            line: record.position().map_or(0, |p| p.line() as usize),
            fields: header
                .iter()
                .map(str::to_string)
                .zip(record.iter().map(str::to_string))
                .collect(),
        });
    }
    Ok(rows)
}

impl IcdCm {
    /// Applies the FY2027 added / deleted / revised lists on top of the FY2026 tree.
    pub fn apply_fy2027(
        &mut self,
        added: &str,
        deleted: &str,
        revised: &str,
    ) -> Result<(), CodeSetError> {
        let mut added_rows = parse_change_csv(FY2027_ADDED.path, added, &["code", "longTitle"])?;
        // Parents before children: shorter codes first.
        added_rows.sort_by_key(|r| r.get("code").len());
        for row in added_rows {
            let line = row.line;
            let key = code_key(row.get("code"));
            self.fy2027_added
                .push((key.clone(), row.get("longTitle").to_string()));
            if key.len() < 3 {
                return Err(CodeSetError::at(
                    FY2027_ADDED.path,
                    line,
                    "a code shorter than a category".into(),
                ));
            }
            if self.by_code.contains_key(&key) {
                continue;
            }
            let parent = (3..key.len())
                .rev()
                .find_map(|n| self.by_code.get(&key[..n]).copied())
                .or_else(|| self.section_for(&key));
            let index = self.nodes.len();
            self.nodes.push(TabularNode {
                kind: NodeKind::Code,
                code: dotted(&key),
                title: row.get("longTitle").to_string(),
                parent,
                children: Vec::new(),
                notes: Vec::new(),
                seventh: Vec::new(),
                placeholder: false,
                line,
            });
            if let Some(p) = parent {
                self.nodes[p].children.push(index);
            }
            self.by_code.insert(key, index);
            self.only_in.insert(index, Edition::Fy2027);
        }
        for row in parse_change_csv(FY2027_DELETED.path, deleted, &["code"])? {
            let line = row.line;
            let key = code_key(row.get("code"));
            self.fy2027_deleted
                .insert(key.clone(), row.get("longTitle").to_string());
            // A deleted 7th-character code has no node of its own: MCE dates end it.
            if let Some(&i) = self.by_code.get(&key) {
                self.only_in.insert(i, Edition::Fy2026);
            } else if key.len() != 7 {
                return Err(CodeSetError::at(
                    FY2027_DELETED.path,
                    line,
                    format!("{} is not in the tabular", dotted(&key)),
                ));
            }
        }
        for row in parse_change_csv(FY2027_REVISED.path, revised, &["code", "newLongTitle"])? {
            let line = row.line;
            let key = code_key(row.get("code"));
            let i = *self.by_code.get(&key).ok_or_else(|| {
                CodeSetError::at(
                    FY2027_REVISED.path,
                    line,
                    format!("{} is not in the tabular", dotted(&key)),
                )
            })?;
            self.fy2027_titles
                .insert(i, row.get("newLongTitle").to_string());
        }
        Ok(())
    }

    /// The section whose range holds a new category (e.g. K6A in K55-K64).
    fn section_for(&self, key: &str) -> Option<usize> {
        let category = key.get(..3)?;
        self.nodes.iter().position(|n| {
            n.kind == NodeKind::Section
                && n.code
                    .split_once('-')
                    .is_some_and(|(lo, hi)| lo <= category && category <= hi)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_list_with_a_runaway_quote_is_refused() {
        let text = "code,longTitle\nA000,\"Cholera\nA001,Other\n";
        let e = parse_change_csv("added.csv", text, &["code"])
            .err()
            .unwrap();
        assert_eq!(e.line, 2, "{e}");
    }
}
