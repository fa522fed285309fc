//! Configuration: a TOML file merged over the embedded defaults.
//!
//! The defaults are `config.example.toml` itself, compiled in, so the documented
//! defaults and the real ones cannot drift. A user file names only what it changes;
//! an unknown key is an error (a typo must not be silently ignored).

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The embedded defaults (and documentation) of every key.
pub const DEFAULTS: &str = include_str!("../config.example.toml");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub coder: CoderConfig,
    pub codesets: CodesetsConfig,
    pub edits: EditsConfig,
    pub queries: QueriesConfig,
    pub drg: DrgConfig,
    pub hl7: Hl7Config,
    pub reports: ReportsConfig,
    pub keys: KeysConfig,
}

/// The quality reports.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportsConfig {
    /// The hospital's base rate in whole dollars: DNFB estimates the amount
    /// a chart holds as its DRG weight times this.
    pub base_rate: u64,
}

/// MS-DRG grouping.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrgConfig {
    /// The hospital is exempt from POA reporting and the HAC payment
    /// provision (e.g. a critical access or Maryland hospital): the grouper
    /// then counts a hospital-acquired condition's CC/MCC.
    pub poa_exempt: bool,
}

/// The HL7 v2 interface (`chartcoder listen`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hl7Config {
    /// Whether `listen --mllp` may listen on an address other than loopback.
    pub allow_remote: bool,
    /// Where a BAR^P12 of each completed chart is written (empty: nowhere).
    pub outbox_dir: String,
    /// The billing system's MLLP receiver `hl7-send` delivers to (empty: none).
    pub send_to: String,
    /// The first wait before a message is sent again, in milliseconds.
    pub retry_initial_ms: u64,
    /// The longest wait between two tries, in milliseconds.
    pub retry_max_ms: u64,
}

impl Hl7Config {
    /// The BAR outbox folder, if one is set.
    pub fn outbox_dir(&self) -> Option<PathBuf> {
        QueriesConfig::dir(&self.outbox_dir)
    }

    /// The receiver, if one is set.
    pub fn send_to(&self) -> Option<&str> {
        Some(self.send_to.trim()).filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueriesConfig {
    pub response_hours: u32,
    pub templates_dir: String,
    pub outbox_dir: String,
}

impl QueriesConfig {
    fn dir(s: &str) -> Option<PathBuf> {
        let s = s.trim();
        (!s.is_empty()).then(|| PathBuf::from(s))
    }

    pub fn templates_dir(&self) -> Option<PathBuf> {
        Self::dir(&self.templates_dir)
    }

    pub fn outbox_dir(&self) -> Option<PathBuf> {
        Self::dir(&self.outbox_dir)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditsConfig {
    pub sex_conflict_always: bool,
    pub nonspecific_principal: bool,
    pub poa_exempt_file: String,
    pub ncci_ptp_file: String,
    pub mue_file: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub path: String,
    pub url: String,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoderConfig {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodesetsConfig {
    pub cache_dir: String,
    pub cpt_file: String,
    pub local_files: Vec<String>,
}

/// Key bindings that replace the defaults: a `[keys.COMPONENT]` table per
/// component (queue, chart, search, ...), each `action = ["key", ...]`.
/// Entries directly under `[keys]` (no component named) are the queue's, as
/// the first releases had them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct KeysConfig {
    entries: std::collections::BTreeMap<String, KeysEntry>,
}

/// One entry of `[keys]`: a component's table, or a queue action's keys.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum KeysEntry {
    Keys(Vec<String>),
    Table(std::collections::BTreeMap<String, Vec<String>>),
}

/// The key tables by component name, then action name.
pub type KeyTables =
    std::collections::BTreeMap<String, std::collections::BTreeMap<String, Vec<String>>>;

impl KeysConfig {
    /// The tables by component; bare `[keys]` entries are the queue's. An
    /// action named both bare and in `[keys.queue]` is an error.
    pub fn tables(&self) -> Result<KeyTables, String> {
        let mut tables = KeyTables::new();
        for (name, entry) in &self.entries {
            if let KeysEntry::Table(t) = entry {
                tables.insert(name.clone(), t.clone());
            }
        }
        for (name, entry) in &self.entries {
            if let KeysEntry::Keys(keys) = entry {
                let queue = tables.entry("queue".into()).or_default();
                if queue.contains_key(name) {
                    return Err(format!(
                        "keys.{name} and keys.queue.{name} both rebind the queue's {name}: keep one"
                    ));
                }
                queue.insert(name.clone(), keys.clone());
            }
        }
        Ok(tables)
    }
}

/// Config keys that are now site policies in the database (`store::site`).
const MOVED_TO_POLICY: &[(&str, &str)] = &[
    ("database", "claim_expiry_minutes"),
    ("coder", "lock_minutes"),
    ("queries", "escalation_hours"),
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Invalid { path: String, message: String },
}

impl Config {
    /// The built-in defaults.
    pub fn defaults() -> Config {
        // The embedded defaults are checked by a unit test; should they ever fail to
        // parse, the error is reported like any config error rather than panicking.
        Self::from_toml_over_defaults("", "(built-in defaults)").unwrap_or(Config {
            database: DatabaseConfig {
                path: String::new(),
                url: String::new(),
                busy_timeout_ms: 5000,
            },
            coder: CoderConfig {
                name: String::new(),
            },
            codesets: CodesetsConfig {
                cache_dir: String::new(),
                cpt_file: String::new(),
                local_files: Vec::new(),
            },
            edits: EditsConfig {
                sex_conflict_always: false,
                nonspecific_principal: true,
                poa_exempt_file: String::new(),
                ncci_ptp_file: String::new(),
                mue_file: String::new(),
            },
            queries: QueriesConfig {
                response_hours: 72,
                templates_dir: String::new(),
                outbox_dir: String::new(),
            },
            drg: DrgConfig { poa_exempt: false },
            hl7: Hl7Config {
                allow_remote: false,
                outbox_dir: String::new(),
                send_to: String::new(),
                retry_initial_ms: 1000,
                retry_max_ms: 300_000,
            },
            reports: ReportsConfig { base_rate: 0 },
            keys: KeysConfig::default(),
        })
    }

    /// Loads a config file over the defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml_over_defaults(&text, &path.display().to_string())
    }

    /// Parses `text` and merges it over the defaults; `origin` names it in errors.
    pub fn from_toml_over_defaults(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        };
        let mut merged: toml::Table = DEFAULTS
            .parse()
            .map_err(|e: toml::de::Error| invalid(format!("built-in defaults: {e}")))?;
        let user: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
        // Keys that became the site's policies: said so, not "unknown field".
        for (section, key) in MOVED_TO_POLICY {
            if user
                .get(*section)
                .and_then(toml::Value::as_table)
                .is_some_and(|t| t.contains_key(*key))
            {
                return Err(invalid(format!(
                    "{section}.{key} is no longer a config key: it is the site's policy {key}, kept in the \
                     database for every coder; a manager sets it with `chartcoder policy set {key} VALUE`"
                )));
            }
        }
        merge(&mut merged, user);
        let config: Config = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
        if config.queries.response_hours == 0 {
            return Err(invalid("queries.response_hours must be at least 1".into()));
        }
        if config.database.busy_timeout_ms == 0 {
            return Err(invalid(
                "database.busy_timeout_ms must be at least 1".into(),
            ));
        }
        let url = config.database.url.trim();
        if !url.is_empty() && !config.database.path.trim().is_empty() {
            return Err(invalid(
                "database.path and database.url are both set: the charts are in one database, \
                 an SQLite file (path) or a PostgreSQL server (url); set one"
                    .into(),
            ));
        }
        if !url.is_empty() && !url.starts_with("postgresql://") && !url.starts_with("postgres://") {
            return Err(invalid(
                "database.url is not a PostgreSQL address: it starts with postgresql:// \
                 (an SQLite file goes in database.path)"
                    .into(),
            ));
        }
        Ok(config)
    }

    pub fn busy_timeout(&self) -> Duration {
        Duration::from_millis(self.database.busy_timeout_ms)
    }

    /// The database path the config names, if any.
    pub fn database_path(&self) -> Option<PathBuf> {
        let p = self.database.path.trim();
        (!p.is_empty()).then(|| PathBuf::from(p))
    }

    /// The PostgreSQL database the config names (`database.url`), if any.
    pub fn database_url(&self) -> Option<String> {
        let url = self.database.url.trim();
        (!url.is_empty()).then(|| url.to_string())
    }
}

impl Config {
    /// The directory of the search index cache: the config's, else the user's
    /// cache directory; `None` when neither exists (search then builds in memory).
    pub fn cache_dir(&self) -> Option<PathBuf> {
        let p = self.codesets.cache_dir.trim();
        if !p.is_empty() {
            return Some(PathBuf::from(p));
        }
        directories::ProjectDirs::from("", "", "chartcoder").map(|d| d.cache_dir().to_path_buf())
    }
}

/// Overlays `over` on `base`, table by table.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_a_file_or_a_server_never_both() {
        let c = Config::from_toml_over_defaults(
            "[database]\nurl = \"postgresql://amy@db.example/charts\"\n",
            "test",
        )
        .unwrap();
        assert_eq!(
            c.database_url().as_deref(),
            Some("postgresql://amy@db.example/charts")
        );
        assert_eq!(c.database_path(), None);
        let both = Config::from_toml_over_defaults(
            "[database]\npath = \"/srv/c.db\"\nurl = \"postgresql://db/charts\"\n",
            "test",
        )
        .unwrap_err()
        .to_string();
        assert!(both.contains("both set"), "{both}");
        let file = Config::from_toml_over_defaults("[database]\nurl = \"/srv/c.db\"\n", "test")
            .unwrap_err()
            .to_string();
        assert!(file.contains("database.path"), "{file}");
        assert_eq!(Config::defaults().database_url(), None);
    }

    #[test]
    fn key_tables_by_component_and_bare_keys_are_the_queue_s() {
        let c = Config::from_toml_over_defaults(
            "[keys]\nopen_chart = [\"o\"]\n[keys.search]\nsubmit = [\"Ctrl-J\"]\n",
            "test",
        )
        .unwrap();
        let tables = c.keys.tables().unwrap();
        assert_eq!(tables["queue"]["open_chart"], vec!["o".to_string()]);
        assert_eq!(tables["search"]["submit"], vec!["Ctrl-J".to_string()]);
        assert!(tables["chart"].is_empty());
        let both = Config::from_toml_over_defaults(
            "[keys]\nquit = [\"x\"]\n[keys.queue]\nquit = [\"Q\"]\n",
            "test",
        )
        .unwrap();
        assert!(both.keys.tables().unwrap_err().contains("keep one"));
    }

    #[test]
    fn the_example_file_is_the_defaults() {
        let c = Config::from_toml_over_defaults("", "test").unwrap();
        assert_eq!(c, Config::defaults());
        assert_eq!(c.database.busy_timeout_ms, 5000);
        assert_eq!(c.database_path(), None);
        assert_eq!(c.coder.name, "");
    }

    #[test]
    fn a_user_file_changes_only_what_it_names() {
        let c =
            Config::from_toml_over_defaults("[database]\nbusy_timeout_ms = 250\n", "test").unwrap();
        assert_eq!(c.database.busy_timeout_ms, 250);
        assert_eq!(c.database.path, "");
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let err =
            Config::from_toml_over_defaults("[database]\nbusy_timout_ms = 250\n", "site.toml")
                .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("site.toml") && text.contains("busy_timout_ms"),
            "{text}"
        );
    }

    #[test]
    fn a_wrong_type_is_an_error() {
        let err =
            Config::from_toml_over_defaults("[database]\nbusy_timeout_ms = \"soon\"\n", "x.toml")
                .unwrap_err();
        assert!(err.to_string().contains("busy_timeout_ms"), "{err}");
    }

    #[test]
    fn broken_toml_names_the_line() {
        let err = Config::from_toml_over_defaults("[coder]\nname = \n", "x.toml").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
