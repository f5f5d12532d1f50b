//! The pages a preview has still to render, in their order and by URL path: the snapshots
//! share the paths, so a publish does not list them again (10,000 briefs: 36,000 pages).

use super::key;
use crate::render::{Job, job_path};
use crate::site::Site;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Pages left to render: by a first build (all of them), or by an edit (those that show the
/// edited briefs).
#[derive(Default)]
pub(super) struct PendingPages {
    /// In the order they render when nobody asks for one.
    jobs: Vec<Job>,
    /// The same jobs by URL path. Shared with the published snapshots: the first change after
    /// a publish copies it, once.
    paths: Arc<HashMap<String, Job>>,
}

impl PendingPages {
    /// The pages given, each with its URL path, in their order.
    pub fn of(pages: Vec<(String, Job)>) -> Self {
        let jobs = pages.iter().map(|&(_, job)| job).collect();
        PendingPages {
            jobs,
            paths: Arc::new(pages.into_iter().collect()),
        }
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    #[cfg(test)]
    pub fn contains_job(&self, job: Job) -> bool {
        self.jobs.contains(&job)
    }

    pub fn clear(&mut self) {
        *self = PendingPages::default();
    }

    /// Adds `job` of `site` after the others, unless it is pending already.
    pub fn push(&mut self, site: &Site, job: Job) {
        let path = key(&job_path(site, job));
        if !self.paths.contains_key(&path) {
            Arc::make_mut(&mut self.paths).insert(path, job);
            self.jobs.push(job);
        }
    }

    /// Takes the pending pages at the URL paths `asked` for.
    pub fn take_asked(&mut self, asked: &HashSet<String>) -> Vec<Job> {
        let taken: Vec<Job> = asked
            .iter()
            .filter_map(|path| self.paths.get(path).copied())
            .collect();
        if !taken.is_empty() {
            let paths = Arc::make_mut(&mut self.paths);
            for path in asked {
                paths.remove(path);
            }
            self.jobs.retain(|job| !taken.contains(job));
        }
        taken
    }

    /// Takes up to `limit` pages of `site`, in their order.
    pub fn take_first(&mut self, site: &Site, limit: usize) -> Vec<Job> {
        let taken: Vec<Job> = self.jobs.drain(..limit.min(self.jobs.len())).collect();
        if !taken.is_empty() {
            let paths = Arc::make_mut(&mut self.paths);
            for &job in &taken {
                paths.remove(&key(&job_path(site, job)));
            }
        }
        taken
    }

    /// The pending pages' URL paths, to share with a snapshot.
    pub fn paths(&self) -> Arc<HashMap<String, Job>> {
        Arc::clone(&self.paths)
    }
}

/// What a snapshot tells of the files still to make: requests for them wait.
#[derive(Default)]
pub struct PendingPaths {
    pub(super) pages: Arc<HashMap<String, Job>>,
    /// The search index's manifest and the PDFs not yet made, when pending.
    pub(super) others: HashSet<String>,
}

impl PendingPaths {
    pub fn contains(&self, path: &str) -> bool {
        self.pages.contains_key(path) || self.others.contains(path)
    }
}
