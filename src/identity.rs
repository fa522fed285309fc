//! Who is at the keyboard: the operating-system user of the process (its real
//! uid, looked up in the system's user database), never `$USER` or a name on
//! the command line, which anyone can set. Every audit row carries it.

use std::sync::OnceLock;

/// The login name of the process's real user ("uid:N" when the user database
/// has no entry for it, as in some containers).
pub fn os_user() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| name_of(nix::unistd::getuid()))
}

/// The login name of the user who owns `path` (`None` when it cannot be read).
pub fn owner_of(path: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata(path).ok()?.uid();
    Some(name_of(nix::unistd::Uid::from_raw(uid)))
}

/// The login name of `uid`, or "uid:N" when the user database has none.
fn name_of(uid: nix::unistd::Uid) -> String {
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => format!("uid:{uid}"),
    }
}

/// Whether this chartcoder can check an operating-system password (it was
/// built with the `pam` feature): the idle lock then asks for it; without, the
/// idle workstation logs the coder off instead.
pub const PASSWORD_CHECK: bool = cfg!(feature = "pam");

/// Checks `password` as the operating-system password of `user`, through PAM
/// (service "chartcoder": /etc/pam.d/chartcoder if the site made one, else
/// the system's "other" policy, on Debian the common-auth stack). Says why not
/// in words, never echoing the password.
#[cfg(feature = "pam")]
pub fn check_password(user: &str, password: &str) -> Result<(), String> {
    use pam_client2::{Context, Flag, conv_mock::Conversation};
    let mut context = Context::new(
        "chartcoder",
        Some(user),
        Conversation::with_credentials(user, password),
    )
    .map_err(|e| format!("PAM could not start: {e}"))?;
    context
        .authenticate(Flag::DISALLOW_NULL_AUTHTOK)
        .map_err(|_| "the password is not right".to_string())
}

/// Without PAM in this build, no password can be checked.
#[cfg(not(feature = "pam"))]
pub fn check_password(_user: &str, _password: &str) -> Result<(), String> {
    Err("this chartcoder was built without PAM (cargo feature \"pam\")".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_os_user_is_the_real_uid_not_the_environment() {
        let name = super::os_user();
        assert!(!name.is_empty());
        let uid = nix::unistd::getuid();
        let looked_up = nix::unistd::User::from_uid(uid).unwrap().map(|u| u.name);
        assert_eq!(
            Some(name.to_string()),
            looked_up.or(Some(format!("uid:{uid}")))
        );
    }
}
