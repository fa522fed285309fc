//! What a chart is coded and checked against, loaded in one place for the
//! workstation and the command line: the official code sets (ICD-10-CM and
//! -PCS with their MCE validity, the CC/MCC lists, the HCC map) from their
//! cache ([`cache`]), the edits' rules over them, the MS-DRG grouper and the
//! code search index (each from its own cache).

pub mod cache;
pub mod working_drg;

use crate::codeset::risk::{CcMcc, HccMap};
use crate::codeset::{CodeSetError, IcdCm, IcdPcs, Sources};
use crate::drg::Grouper;
use crate::edits::{Rules, SiteFiles, SiteTables};
use crate::search::SearchIndex;
use crate::search::cache::UserTables;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

/// The official code sets, shared by the rules, the badges and the lookups.
#[derive(Clone)]
pub struct Official {
    pub cm: Arc<IcdCm>,
    pub pcs: Arc<IcdPcs>,
    /// MS-DRG CC/MCC list membership.
    pub cc_mcc: Arc<CcMcc>,
    /// CMS-HCC V28.
    pub hcc: Arc<HccMap>,
}

impl Official {
    /// The bundled code sets, from the cache in `cache_dir` when it is current
    /// (parsed and cached otherwise); the second value is what to tell the
    /// user about the cache, if anything (found damaged, cannot be written).
    pub fn load(cache_dir: Option<&Path>) -> Result<(Official, Option<String>), CodeSetError> {
        let (parsed, report) = cache::load_or_parse(cache_dir, &Sources::BUNDLED)?;
        let official = Official {
            cm: Arc::new(parsed.cm),
            pcs: Arc::new(parsed.pcs),
            cc_mcc: Arc::new(parsed.cc_mcc),
            hcc: Arc::new(parsed.hcc),
        };
        Ok((official, report.notice))
    }

    /// The edits' rules over these code sets and the site's tables.
    pub fn rules(&self, site: SiteTables, edits: &SiteFiles) -> Result<Rules, CodeSetError> {
        Rules::new(
            Arc::clone(&self.cm),
            Arc::clone(&self.pcs),
            Arc::clone(&self.cc_mcc),
            site,
            edits.options.clone(),
        )
    }
}

/// Why the rules could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    CodeSet(#[from] CodeSetError),
    /// A site table the config names (POA exempt, NCCI PTP, MUE).
    #[error("edits: {0}")]
    Site(CodeSetError),
}

/// The edits' rules for the command line: the code sets from the cache in
/// `cache_dir`, and the site's tables, which must read (the command refuses
/// to check without them). The second value is what to tell the user about
/// the cache, if anything.
pub fn load_rules(
    cache_dir: Option<&Path>,
    edits: &SiteFiles,
) -> Result<(Rules, Option<String>), LoadError> {
    let site = edits.load().map_err(LoadError::Site)?;
    let (official, notice) = Official::load(cache_dir)?;
    Ok((official.rules(site, edits)?, notice))
}

/// The code sets the workstation needs, loaded off the UI thread.
#[derive(Clone)]
pub struct CodeSets {
    pub index: Arc<SearchIndex>,
    pub cm: Arc<IcdCm>,
    pub pcs: Arc<IcdPcs>,
    /// MS-DRG CC/MCC list membership, for the badges.
    pub cc_mcc: Arc<CcMcc>,
    /// CMS-HCC V28, for the badges.
    pub hcc: Arc<HccMap>,
    /// The edits engine.
    pub rules: Arc<Rules>,
    /// The MS-DRG grouper; `None` when its tables could not be read (the
    /// reason is in `site_problem`).
    pub grouper: Option<Arc<Grouper>>,
    /// What to tell the coder on the message line: why the site's tables (CPT
    /// and local code tables, edit tables) could not be read (search and the
    /// edits then run without them), why there is no grouping, a cache found
    /// damaged and rebuilt.
    pub site_problem: Option<String>,
}

impl CodeSets {
    /// Loads everything (the code sets, the grouper's tables and the search
    /// index each from its cache when current), side by side.
    pub fn load(
        cache_dir: Option<PathBuf>,
        user: &UserTables,
        edits: &SiteFiles,
    ) -> Result<CodeSets, String> {
        let dir = cache_dir.as_deref();
        let (index, official, grouper) = std::thread::scope(|s| {
            let grouper = s.spawn(|| Grouper::load_cached(dir));
            let official = s.spawn(|| Official::load(dir));
            let index = crate::search::cache::load_or_build(dir, user);
            (index, official.join(), grouper.join())
        });
        // A site table that cannot be read must not cost the coder the official
        // code sets: search without it, and say why.
        let (index, table_problem) = match index {
            Ok((index, _)) => (index, None),
            Err(e) if user.cpt.is_some() || !user.local.is_empty() => {
                let (index, _) = crate::search::cache::load_or_build(dir, &UserTables::default())
                    .map_err(|e| e.to_string())?;
                (
                    index,
                    Some(format!("code search runs without your tables: {e}")),
                )
            }
            Err(e) => return Err(e.to_string()),
        };
        let failed = || "a code-set loader failed".to_string();
        let (official, cache_notice) =
            official.map_err(|_| failed())?.map_err(|e| e.to_string())?;
        let (site, edits_problem) = match edits.load() {
            Ok(site) => (site, None),
            Err(e) => (
                SiteTables::default(),
                Some(format!("edits run without the site tables: {e}")),
            ),
        };
        let (grouper, grouper_problem) = match grouper {
            Ok(Ok((g, warning))) => (Some(Arc::new(g)), warning),
            Ok(Err(e)) => (None, Some(format!("no MS-DRG grouping: {e}"))),
            Err(_) => (None, Some("no MS-DRG grouping: its loader failed".into())),
        };
        let problems: Vec<String> = [table_problem, edits_problem, grouper_problem, cache_notice]
            .into_iter()
            .flatten()
            .collect();
        let site_problem = (!problems.is_empty()).then(|| problems.join("; "));
        let rules = official.rules(site, edits).map_err(|e| e.to_string())?;
        Ok(CodeSets {
            index: Arc::new(index),
            cm: official.cm,
            pcs: official.pcs,
            cc_mcc: official.cc_mcc,
            hcc: official.hcc,
            rules: Arc::new(rules),
            grouper,
            site_problem,
        })
    }

    /// Loads on a background thread; the answer arrives on the receiver.
    pub fn spawn(
        cache_dir: Option<PathBuf>,
        user: UserTables,
        edits: SiteFiles,
    ) -> Receiver<Result<CodeSets, String>> {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("codesets".into())
            .spawn(move || {
                let _ = tx.send(CodeSets::load(cache_dir, &user, &edits));
            });
        if let Err(e) = spawned {
            let (tx, rx) = channel();
            let _ = tx.send(Err(format!("cannot start the code-set loader: {e}")));
            return rx;
        }
        rx
    }
}
