//! `audit --verify` on PostgreSQL: the triggers that guard the record are in
//! place as `db migrate` made them — each there, enabled, and defined as in
//! the schema (a trigger dropped, disabled, or replaced by another is named),
//! and the function they call still refuses.

use super::schema::TRIGGERS_SQL;
use super::{SQLITE_TRIGGER_TWINS, TRUNCATE_GUARDS};
use crate::store::migrations::GUARD_TRIGGERS;
use crate::store::sql::{Db, Result};

/// What is wrong with the guarding triggers, in words (nothing: all well).
pub(in crate::store) fn problems(conn: &Db) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let guards = GUARD_TRIGGERS.iter().filter_map(|(sqlite, _)| {
        SQLITE_TRIGGER_TWINS
            .iter()
            .find(|(name, _, _)| name == sqlite)
            .map(|(_, table, pg)| (*table, *pg))
    });
    for (table, name) in guards.chain(TRUNCATE_GUARDS.iter().copied()) {
        let found: Option<(String, String)> = conn.query_opt(
            "SELECT pg_get_triggerdef(t.oid), t.tgenabled::text FROM pg_trigger t
             JOIN pg_class c ON c.oid = t.tgrelid
             WHERE t.tgname = ?1 AND c.relname = ?2 AND NOT t.tgisinternal
               AND c.relnamespace = current_schema()::regnamespace",
            [name, table],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        match found {
            None => problems.push(format!(
                "the trigger {name} is missing (dropped): rows could have been changed or removed"
            )),
            Some((_, enabled)) if enabled == "D" => problems.push(format!(
                "the trigger {name} is disabled: rows could have been changed or removed"
            )),
            Some((definition, _)) if Some(normal(&definition)) != written(name) => {
                problems.push(format!(
                    "the trigger {name} was replaced by another: rows could have been changed or removed"
                ))
            }
            Some(_) => {}
        }
    }
    let refuses: Option<String> = conn.query_opt(
        "SELECT prosrc FROM pg_proc WHERE proname = 'chartcoder_refuse'
           AND pronamespace = current_schema()::regnamespace",
        [],
        |r| r.get(0),
    )?;
    if !refuses.is_some_and(|body| body.contains("RAISE EXCEPTION")) {
        problems.push(
            "the function the guarding triggers call (chartcoder_refuse) was replaced: rows could \
             have been changed or removed"
                .to_string(),
        );
    }
    Ok(problems)
}

/// The trigger `name` as the schema writes it, normalised.
fn written(name: &str) -> Option<String> {
    let start = TRIGGERS_SQL.find(&format!("CREATE TRIGGER {name} "))?;
    let end = TRIGGERS_SQL[start..].find(';')?;
    Some(normal(&TRIGGERS_SQL[start..start + end]))
}

/// A trigger definition without the schema name PostgreSQL puts before the
/// table, with single spaces: when it fires, on what, and what it calls
/// (a `WHEN` condition, which PostgreSQL rewrites with casts and
/// parentheses, is left out).
fn normal(definition: &str) -> String {
    let words = definition
        .split_whitespace()
        .map(|w| w.strip_prefix("public.").unwrap_or(w))
        .collect::<Vec<_>>()
        .join(" ");
    let head = words.split(" FOR EACH ").next().unwrap_or_default();
    let call = words
        .find(" EXECUTE FUNCTION ")
        .map_or("", |at| &words[at..]);
    format!("{head}{call}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_guard_is_written_in_the_schema() {
        for (_, name) in super::TRUNCATE_GUARDS {
            assert!(super::written(name).is_some(), "{name}");
        }
        assert_eq!(
            super::written("audit_no_update").as_deref(),
            Some(
                "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit EXECUTE \
                 FUNCTION chartcoder_refuse('the audit trail is append-only')"
            )
        );
    }
}
