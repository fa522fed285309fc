//! The site's policies, kept in the database so that every coder works under
//! the same ones (a coder's own config cannot shorten a colleague's claim or
//! turn off the idle lock). Only a manager (an operating-system user listed in
//! `managers`; at first the database file's owner) changes them, and
//! every change is audited.

use super::{Result, StoreError, audit};
use crate::store::sql::{Db, Tx, params};

/// The policies, with their defaults where none was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Minutes without activity after which another coder may take a claimed
    /// chart; 0: never.
    pub claim_expiry_minutes: u32,
    /// Minutes without a key after which the workstation locks (or logs the
    /// coder off); 0: never.
    pub lock_minutes: u32,
    /// Hours after which an unanswered physician query is overdue.
    pub escalation_hours: u32,
    /// Operating-system users who may act as another coder (`--user`), e.g. a
    /// trainer's or a service account; "*" for every user.
    pub act_as: Vec<String>,
    /// Operating-system users who may change these policies.
    pub managers: Vec<String>,
}

/// Every policy key, its default, and what it means (for `policy show` and
/// the README).
pub const KEYS: &[(&str, &str, &str)] = &[
    (
        "claim_expiry_minutes",
        "120",
        "minutes without activity before another coder may take a claimed chart (0: never)",
    ),
    (
        "lock_minutes",
        "15",
        "minutes without a key before the workstation locks or logs off (0: never)",
    ),
    (
        "escalation_hours",
        "72",
        "hours before an unanswered physician query is overdue (at least 1)",
    ),
    (
        "act_as",
        "",
        "OS users who may act as another coder with --user, comma-separated (* for all)",
    ),
    (
        "managers",
        "",
        "OS users who may change these policies, comma-separated (at first: the database file's owner)",
    ),
];

/// The default of `key` ("" for a key that is not a policy).
fn default_of(key: &str) -> &'static str {
    KEYS.iter().find(|k| k.0 == key).map_or("", |k| k.1)
}

/// The value of `key`: as set, else its default.
fn value_of(conn: &Db, key: &str) -> Result<String> {
    Ok(raw(conn, key)?.unwrap_or_else(|| default_of(key).to_string()))
}

fn raw(conn: &Db, key: &str) -> Result<Option<String>> {
    Ok(conn.query_opt("SELECT value FROM site WHERE key = ?1", [key], |r| r.get(0))?)
}

fn names(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// The value `value` for `key`, checked; the stored form.
fn checked(key: &str, value: &str) -> std::result::Result<String, String> {
    let number = |min: u32| {
        value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= min && *n <= 1_000_000)
            .map(|n| n.to_string())
            .ok_or_else(|| format!("{key} is a whole number from {min} to 1000000"))
    };
    match key {
        "claim_expiry_minutes" | "lock_minutes" => number(0),
        "escalation_hours" => number(1),
        "act_as" | "managers" => {
            let list = names(value);
            if let Some(bad) = list
                .iter()
                .find(|n| n.chars().any(|c| c.is_control() || c.is_whitespace()))
            {
                return Err(format!(
                    "{key}: {:?} is not a user name",
                    crate::sanitize::line(bad)
                ));
            }
            if key == "managers" && list.is_empty() {
                return Err("managers cannot be empty: nobody could change the policies".into());
            }
            Ok(list.join(","))
        }
        _ => Err(format!(
            "there is no policy {key:?}; the policies are {}",
            KEYS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The site's policies.
pub fn policy(conn: &Db) -> Result<Policy> {
    // A value the table holds is one `set` checked; a default parses.
    let number = |key: &str| -> Result<u32> {
        let v = value_of(conn, key)?;
        v.parse()
            .map_err(|_| StoreError::Corrupt(format!("the site policy {key} is {v:?}")))
    };
    Ok(Policy {
        claim_expiry_minutes: number("claim_expiry_minutes")?,
        lock_minutes: number("lock_minutes")?,
        escalation_hours: number("escalation_hours")?.max(1),
        act_as: names(&value_of(conn, "act_as")?),
        managers: names(&value_of(conn, "managers")?),
    })
}

impl Policy {
    /// How long a claim with no activity lasts; `None`: for ever.
    pub fn claim_expiry(&self) -> Option<chrono::Duration> {
        let m = self.claim_expiry_minutes;
        (m > 0).then(|| chrono::Duration::minutes(i64::from(m)))
    }

    /// How long without a key before the workstation locks; `None`: never.
    pub fn lock_after(&self) -> Option<std::time::Duration> {
        let m = self.lock_minutes;
        (m > 0).then(|| std::time::Duration::from_secs(u64::from(m) * 60))
    }

    /// Whether the operating-system user `os_user` may act as another coder.
    pub fn may_act_as(&self, os_user: &str) -> bool {
        self.act_as.iter().any(|u| u == os_user || u == "*")
    }
}

/// Sets a policy: only a manager may, and the change is audited with the old
/// and the new value. Returns the old value.
pub fn set(tx: &Tx<'_>, coder: &str, key: &str, value: &str) -> Result<String> {
    let os_user = crate::identity::os_user();
    let current = policy(tx)?;
    if !current.managers.iter().any(|m| m == os_user) {
        return Err(StoreError::Refused(format!(
            "only a manager changes the site's policies, and {os_user} is not one (managers: {})",
            current.managers.join(", ")
        )));
    }
    let value = checked(key, value).map_err(StoreError::Refused)?;
    if key == "managers" && !names(&value).iter().any(|m| m == os_user) {
        return Err(StoreError::Refused(format!(
            "you ({os_user}) would no longer be a manager: name yourself among the managers, \
             or let another manager change it"
        )));
    }
    let old = value_of(tx, key)?;
    tx.execute(
        "INSERT INTO site (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    audit::record(
        tx,
        coder,
        None,
        crate::domain::AuditAction::PolicySet,
        &format!("{key}: {old} -> {value}"),
    )?;
    Ok(old)
}

/// Each policy with its value now.
pub fn show(conn: &Db) -> Result<Vec<(&'static str, String, &'static str)>> {
    KEYS.iter()
        .map(|(key, _, what)| Ok((*key, value_of(conn, key)?, *what)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    both_stores! {
        fn the_creator_is_the_first_manager_and_only_managers_set_checked_values(stores: &Stores) {
            let mut store = stores.open();
            let me = crate::identity::os_user();
            let p = policy(store.conn()).unwrap();
            assert_eq!(p.managers, vec![me.to_string()]);
            assert_eq!(
                (p.claim_expiry_minutes, p.lock_minutes, p.escalation_hours),
                (120, 15, 72)
            );
            assert!(!p.may_act_as(me));

            let old = store
                .write(|tx| set(tx, me, "claim_expiry_minutes", "30"))
                .unwrap();
            assert_eq!(old, "120");
            assert_eq!(policy(store.conn()).unwrap().claim_expiry_minutes, 30);
            for (key, value) in [
                ("claim_expiry_minutes", "-1"),
                ("escalation_hours", "0"),
                ("lock_minutes", "soon"),
                ("managers", ""),
                ("managers", "someone-else"),
                ("no_such_policy", "1"),
            ] {
                let err = store.write(|tx| set(tx, me, key, value)).unwrap_err();
                assert!(
                    matches!(err, StoreError::Refused(_)),
                    "{key}={value}: {err}"
                );
            }
            store
                .write(|tx| set(tx, me, "act_as", &format!("{me}, trainer")))
                .unwrap();
            assert!(policy(store.conn()).unwrap().may_act_as(me));
            // Once no longer a manager (another one named by a manager who then
            // steps down is the only way), a change is refused.
            store
                .conn()
                .execute(
                    "UPDATE site SET value = 'someone-else' WHERE key = 'managers'",
                    [],
                )
                .unwrap();
            let err = store
                .write(|tx| set(tx, me, "lock_minutes", "5"))
                .unwrap_err();
            assert!(err.to_string().contains("only a manager"), "{err}");
            let changes: i64 = store
                .conn()
                .query_row(
                    "SELECT count(*) FROM audit WHERE action = 'policy_set'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(changes, 2, "each change audited, refusals not");
        }
    }
}
