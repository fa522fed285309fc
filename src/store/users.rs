//! Users and their roles (coder, reviewer, manager), in the database so that
//! every workstation works under the same ones: a user's own config cannot
//! make them a reviewer or a manager. Only a manager adds, changes or
//! removes a user, and every change is audited.
//!
//! A name not in the table is a coder (everyone who codes); the site's
//! `managers` policy (operating-system users, at first the database file's
//! owner) are managers, so that the first manager can name the others.

use super::{Result, StoreError, audit, now_utc};
use crate::domain::{AuditAction, Role};
use crate::store::sql::{Db, Tx, params};

/// One user as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// Whether the role comes from the site's `managers` policy (not the table).
    pub from_policy: bool,
}

/// The role of `name` as the table sets it, if it does.
pub fn listed_role(conn: &Db, name: &str) -> Result<Option<Role>> {
    let role: Option<String> =
        conn.query_opt("SELECT role FROM users WHERE name = ?1", [name], |r| {
            r.get(0)
        })?;
    role.map(|r| {
        r.parse()
            .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))
    })
    .transpose()
}

/// What `name` may do: the table's role; a manager when the site's
/// `managers` policy names them; else a coder.
pub fn role_of(conn: &Db, name: &str) -> Result<Role> {
    if super::site::policy(conn)?
        .managers
        .iter()
        .any(|m| m == name)
    {
        return Ok(Role::Manager);
    }
    Ok(listed_role(conn, name)?.unwrap_or(Role::Coder))
}

/// Whether `name` is known: in the table, a policy manager, or someone who
/// has completed a chart.
pub fn is_known(conn: &Db, name: &str) -> Result<bool> {
    if listed_role(conn, name)?.is_some()
        || super::site::policy(conn)?
            .managers
            .iter()
            .any(|m| m == name)
    {
        return Ok(true);
    }
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM chart_coding WHERE coder = ?1)",
        [name],
        |r| r.get(0),
    )?)
}

/// Refuses unless `user` has a role that `allowed` accepts.
pub fn require_role(
    conn: &Db,
    user: &str,
    what: &str,
    allowed: impl Fn(Role) -> bool,
) -> Result<Role> {
    let role = role_of(conn, user)?;
    match allowed(role) {
        true => Ok(role),
        false => Err(StoreError::Refused(format!(
            "{user} is a {role}, and {what}: nothing was changed"
        ))),
    }
}

/// Every user: the table's and the policy's managers, by name.
pub fn list(conn: &Db) -> Result<Vec<User>> {
    let mut out: Vec<User> = Vec::new();
    let sql = "SELECT name, role FROM users ORDER BY name";
    conn.for_each(sql, [], |r| -> Result<()> {
        let role: String = r.get(1)?;
        out.push(User {
            name: r.get(0)?,
            role: role
                .parse()
                .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?,
            from_policy: false,
        });
        Ok(())
    })?;
    for m in super::site::policy(conn)?.managers {
        match out.iter_mut().find(|u| u.name == m) {
            Some(u) => {
                u.role = Role::Manager;
                u.from_policy = true;
            }
            None => out.push(User {
                name: m,
                role: Role::Manager,
                from_policy: true,
            }),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn checked_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > 64
        || name
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == ',')
    {
        return Err(StoreError::Refused(format!(
            "{:?} is not a user name (1 to 64 characters, no spaces, commas or control characters)",
            crate::sanitize::line(name)
        )));
    }
    Ok(name)
}

fn require_manager(tx: &Tx<'_>, actor: &str) -> Result<()> {
    require_role(tx, actor, "only a manager changes users and roles", |r| {
        r == Role::Manager
    })
    .map(|_| ())
}

/// Adds a user with a role (refused when the name is already listed).
pub fn add(tx: &Tx<'_>, actor: &str, name: &str, role: Role) -> Result<()> {
    require_manager(tx, actor)?;
    let name = checked_name(name)?;
    if listed_role(tx, name)?.is_some() {
        return Err(StoreError::Refused(format!(
            "{name} is already a user: use set-role to change the role"
        )));
    }
    tx.execute(
        "INSERT INTO users (name, role, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.as_str(), actor, now_utc()],
    )?;
    audit::record(
        tx,
        actor,
        None,
        AuditAction::UserRole,
        &format!("{name}: added as {role}"),
    )
}

/// Changes a listed user's role. Returns the old one.
pub fn set_role(tx: &Tx<'_>, actor: &str, name: &str, role: Role) -> Result<Role> {
    require_manager(tx, actor)?;
    let Some(old) = listed_role(tx, name)? else {
        return Err(StoreError::Refused(format!(
            "there is no user {:?}: add them first (chartcoder users add)",
            crate::sanitize::line(name)
        )));
    };
    tx.execute(
        "UPDATE users SET role = ?2, changed_by = ?3, changed_at = ?4 WHERE name = ?1",
        params![name, role.as_str(), actor, now_utc()],
    )?;
    audit::record(
        tx,
        actor,
        None,
        AuditAction::UserRole,
        &format!("{name}: {old} -> {role}"),
    )?;
    Ok(old)
}

/// Removes a listed user (they code on as a coder; their work and its
/// history stay).
pub fn remove(tx: &Tx<'_>, actor: &str, name: &str) -> Result<()> {
    require_manager(tx, actor)?;
    let Some(old) = listed_role(tx, name)? else {
        return Err(StoreError::Refused(format!(
            "there is no user {:?}",
            crate::sanitize::line(name)
        )));
    };
    tx.execute("DELETE FROM users WHERE name = ?1", [name])?;
    audit::record(
        tx,
        actor,
        None,
        AuditAction::UserRole,
        &format!("{name}: removed (was {old})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    both_stores! {
        fn only_a_manager_changes_roles_and_each_change_is_audited(stores: &Stores) {
            let mut store = stores.open();
            let me = crate::identity::os_user();
            assert_eq!(role_of(store.conn(), me).unwrap(), Role::Manager);
            assert_eq!(role_of(store.conn(), "ann").unwrap(), Role::Coder);
            store
                .write(|tx| add(tx, me, "rita", Role::Reviewer))
                .unwrap();
            assert_eq!(role_of(store.conn(), "rita").unwrap(), Role::Reviewer);
            let err = store
                .write(|tx| add(tx, "rita", "ann", Role::Manager))
                .unwrap_err();
            assert!(err.to_string().contains("only a manager"), "{err}");
            let err = store
                .write(|tx| add(tx, me, "rita", Role::Coder))
                .unwrap_err();
            assert!(err.to_string().contains("already"), "{err}");
            let err = store
                .write(|tx| set_role(tx, me, "nobody", Role::Coder))
                .unwrap_err();
            assert!(err.to_string().contains("no user"), "{err}");
            assert!(store.write(|tx| add(tx, me, "a b", Role::Coder)).is_err());
            assert_eq!(
                store
                    .write(|tx| set_role(tx, me, "rita", Role::Manager))
                    .unwrap(),
                Role::Reviewer
            );
            store.write(|tx| remove(tx, me, "rita")).unwrap();
            assert_eq!(role_of(store.conn(), "rita").unwrap(), Role::Coder);
            let n: i64 = store
                .conn()
                .query_row(
                    "SELECT count(*) FROM audit WHERE action = 'user_role'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 3, "refusals are not audited");
        }
    }
}
