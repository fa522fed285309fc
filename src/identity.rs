//! Who is at the keyboard: the operating-system user of the process (its real
//! uid, looked up in the system's user database), never `$USER` or a name on
//! the command line, which anyone can set. Every audit row carries it.

use std::sync::OnceLock;

/// The login name of the process's real user ("uid N" when the user database
/// has no entry for it, as in some containers).
pub fn os_user() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let uid = nix::unistd::getuid();
        match nix::unistd::User::from_uid(uid) {
            Ok(Some(user)) => user.name,
            _ => format!("uid {uid}"),
        }
    })
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
            looked_up.or(Some(format!("uid {uid}")))
        );
    }
}
