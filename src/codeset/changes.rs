//! An edition's change lists (added, deleted, revised codes) applied on top
//! of the editions before it, so that every edition exists in one tree.

use super::{
    CodeSetError, Edition, EditionSet, IcdCm, NodeKind, TabularNode, check_csv_quotes, code_key,
    csv_error, dotted,
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
    /// Applies one edition's change lists on top of the editions before it:
    /// each list is (its file name, for errors; its text). An added code
    /// exists from `edition` on, a deleted one up to the edition before it, a
    /// revised title from `edition` on.
    pub fn apply_changes(
        &mut self,
        edition: Edition,
        added: (&str, &str),
        deleted: (&str, &str),
        revised: (&str, &str),
    ) -> Result<(), CodeSetError> {
        self.editions = self.editions.with(EditionSet::only(edition));
        self.apply_added(edition, added)?;
        self.apply_deleted(edition, deleted)?;
        let (file, text) = revised;
        for row in parse_change_csv(file, text, &["code", "newLongTitle"])? {
            let key = code_key(row.get("code"));
            let i = *self.by_code.get(&key).ok_or_else(|| {
                CodeSetError::at(
                    file,
                    row.line,
                    format!("{} is not in the tabular", dotted(&key)),
                )
            })?;
            let titles = self.revised.entry(i).or_default();
            titles.retain(|(from, _)| *from < edition);
            titles.push((edition, row.get("newLongTitle").to_string()));
        }
        Ok(())
    }

    fn apply_added(
        &mut self,
        edition: Edition,
        (file, text): (&str, &str),
    ) -> Result<(), CodeSetError> {
        let mut added_rows = parse_change_csv(file, text, &["code", "longTitle"])?;
        // Parents before children: shorter codes first.
        added_rows.sort_by_key(|r| r.get("code").len());
        for row in added_rows {
            let line = row.line;
            let key = code_key(row.get("code"));
            self.added
                .push((edition, key.clone(), row.get("longTitle").to_string()));
            if key.len() < 3 {
                return Err(CodeSetError::at(
                    file,
                    line,
                    "a code shorter than a category".into(),
                ));
            }
            if let Some(&i) = self.by_code.get(&key) {
                // Back after a deletion: in the editions from this one on too.
                if let Some(set) = self.present.get_mut(&i) {
                    *set = set.with(EditionSet::from_on(edition));
                }
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
            self.present.insert(index, EditionSet::from_on(edition));
        }
        Ok(())
    }

    fn apply_deleted(
        &mut self,
        edition: Edition,
        (file, text): (&str, &str),
    ) -> Result<(), CodeSetError> {
        for row in parse_change_csv(file, text, &["code"])? {
            let key = code_key(row.get("code"));
            self.deleted
                .insert(key.clone(), (edition, row.get("longTitle").to_string()));
            // A deleted 7th-character code has no node of its own: MCE dates end it.
            if let Some(&i) = self.by_code.get(&key) {
                let set = self.present.get(&i).copied().unwrap_or(EditionSet::EVERY);
                self.present
                    .insert(i, set.without(EditionSet::from_on(edition)));
            } else if key.len() != 7 {
                return Err(CodeSetError::at(
                    file,
                    row.line,
                    format!("{} is not in the tabular", dotted(&key)),
                ));
            }
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
